package population

import "github.com/sundhedsklynge/klynge/domain"

// postalMunicipality is the municipality of each postal district the sandbox
// gives addresses in: Region Sjælland's postal codes with the municipality
// their town lies in, as Danmarks Adressers Web API (DAWA, /postnumre, field
// kommuner) lists them. A district that crosses a municipal border (DAWA
// lists several kommuner for it) is given the municipality of its town.
// The table was transcribed for the sandbox, not fetched at build time (the
// build has no network); it corrects the earlier guesses 4250 Fuglebjerg and
// 4262 Sandved (Næstved, not Slagelse), 4270 Høng and 4281 Gørlev
// (Kalundborg), 4420 Regstrup (Holbæk) and 4990 Sakskøbing (Guldborgsund).
var postalMunicipality = map[string]domain.MunicipalityCode{
	"2670": 253, "2690": 253, "4030": 253, // Greve
	"4600": 259, "4623": 259, "4632": 259, "4681": 259, "4140": 259, // Køge
	"4000": 265, "4040": 265, "4130": 265, "4621": 265, // Roskilde
	"2680": 269, "4622": 269, // Solrød
	"4500": 306, "4534": 306, "4540": 306, "4550": 306, "4560": 306, "4573": 306, "4581": 306, "4583": 306, // Odsherred
	"4300": 316, "4340": 316, "4350": 316, "4370": 316, "4390": 316, "4420": 316, "4440": 316, "4450": 316, "4520": 316, // Holbæk
	"4640": 320, "4653": 320, "4654": 320, "4682": 320, "4683": 320, "4690": 320, // Faxe
	"4270": 326, "4281": 326, "4400": 326, "4470": 326, "4480": 326, "4490": 326, "4591": 326, // Kalundborg
	"4100": 329, "4174": 329, // Ringsted
	"4200": 330, "4220": 330, "4230": 330, "4241": 330, "4242": 330, "4261": 330, // Slagelse
	"4652": 336, "4660": 336, "4671": 336, "4672": 336, "4673": 336, // Stevns
	"4180": 340, "4190": 340, "4291": 340, "4293": 340, "4295": 340, "4296": 340, // Sorø
	"4060": 350, "4070": 350, "4320": 350, "4330": 350, // Lejre
	"4900": 360, "4920": 360, "4930": 360, "4952": 360, "4960": 360, "4970": 360, // Lolland
	"4160": 370, "4171": 370, "4250": 370, "4262": 370, "4684": 370, "4700": 370, "4733": 370, "4736": 370, // Næstved
	"4800": 376, "4840": 376, "4850": 376, "4874": 376, "4880": 376, "4990": 376, // Guldborgsund
	"4720": 390, "4735": 390, "4750": 390, "4760": 390, "4772": 390, "4780": 390, // Vordingborg
}

// PostalMunicipality is the municipality of a postal code in the table, for
// checks of the world's addresses.
func PostalMunicipality(code string) (domain.MunicipalityCode, bool) {
	m, ok := postalMunicipality[code]
	return m, ok
}
