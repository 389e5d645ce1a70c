package population

// ageBands is a Danish-like population pyramid in 5-year bands (0-4, 5-9,
// ..., 100-104), in thousands, shaped after Region Sjælland in 2024 (an older
// region than Denmark as a whole): about 24% are 65 or older.
var ageBands = []float64{
	42, 44, 48, 50, 44, 42, 44, 45, 47, 55, 62, 63, 58, // 0-64
	55, 53, 48, 30, 15, 6, 1.5, 0.2, // 65-104
}

// femaleShare is the share of women at an age: even at birth, rising among
// the oldest.
func femaleShare(age int) float64 {
	switch {
	case age >= 90:
		return 0.68
	case age >= 80:
		return 0.58
	case age >= 70:
		return 0.52
	}
	return 0.495
}
