package population

import "github.com/sundhedsklynge/klynge/domain"

// RegionSjaelland is the DAGI code of the region the sandbox simulates.
const RegionSjaelland = 1085

// town is a postal district of a municipality; weight is its rough share of
// the municipality's inhabitants.
type town struct {
	postalCode string
	name       string
	weight     float64
}

// municipalityFacts are the 17 municipalities of Region Sjælland. Inhabitants
// are approximate 2024 figures (Danmarks Statistik, rounded to the nearest
// hundred, from memory of the published tables); they only set each
// municipality's share of the synthetic population. Postal codes and towns
// are real districts of the municipality (checked against postalMunicipality
// by a test); their weights are rough guesses.
var municipalityFacts = []struct {
	code        domain.MunicipalityCode
	name        string
	inhabitants int
	towns       []town
}{
	{253, "Greve", 50900, []town{{"2670", "Greve", 7}, {"2690", "Karlslunde", 2}, {"4030", "Tune", 1}}},
	{259, "Køge", 62500, []town{{"4600", "Køge", 7}, {"4623", "Lille Skensved", 1}, {"4632", "Bjæverskov", 1}, {"4681", "Herfølge", 1.5}}},
	{265, "Roskilde", 90500, []town{{"4000", "Roskilde", 8}, {"4040", "Jyllinge", 1.5}, {"4130", "Viby Sjælland", 1}, {"4621", "Gadstrup", 0.5}}},
	{269, "Solrød", 23500, []town{{"2680", "Solrød Strand", 4}, {"4622", "Havdrup", 1}}},
	{306, "Odsherred", 32800, []town{{"4500", "Nykøbing Sjælland", 3}, {"4550", "Asnæs", 2}, {"4560", "Vig", 1}, {"4573", "Højby", 1}, {"4581", "Rørvig", 0.5}, {"4583", "Sjællands Odde", 0.5}}},
	{316, "Holbæk", 72500, []town{{"4300", "Holbæk", 7}, {"4340", "Tølløse", 1}, {"4390", "Vipperød", 1}, {"4370", "Store Merløse", 0.5}, {"4450", "Jyderup", 1}, {"4520", "Svinninge", 0.5}, {"4420", "Regstrup", 0.5}}},
	{320, "Faxe", 37800, []town{{"4690", "Haslev", 4}, {"4640", "Faxe", 2}, {"4654", "Faxe Ladeplads", 1}, {"4683", "Rønnede", 0.7}, {"4682", "Tureby", 0.3}}},
	{326, "Kalundborg", 48300, []town{{"4400", "Kalundborg", 5}, {"4470", "Svebølle", 1}, {"4490", "Jerslev Sjælland", 0.5}, {"4480", "Store Fuglede", 0.5}, {"4270", "Høng", 1}, {"4281", "Gørlev", 0.6}}},
	{329, "Ringsted", 35900, []town{{"4100", "Ringsted", 8}, {"4174", "Jystrup Midtsjælland", 1}}},
	{330, "Slagelse", 79500, []town{{"4200", "Slagelse", 6}, {"4220", "Korsør", 2.5}, {"4230", "Skælskør", 1}, {"4241", "Vemmelev", 0.5}, {"4261", "Dalmose", 0.3}, {"4242", "Boeslunde", 0.3}}},
	{336, "Stevns", 23500, []town{{"4660", "Store Heddinge", 3}, {"4652", "Hårlev", 1}, {"4671", "Strøby", 1}, {"4673", "Rødvig Stevns", 0.5}}},
	{340, "Sorø", 30500, []town{{"4180", "Sorø", 5}, {"4293", "Dianalund", 1.5}, {"4295", "Stenlille", 1}, {"4190", "Munke Bjergby", 0.3}}},
	{350, "Lejre", 28800, []town{{"4320", "Lejre", 2}, {"4330", "Hvalsø", 2}, {"4070", "Kirke Hyllinge", 1}, {"4060", "Kirke Såby", 0.7}}},
	{360, "Lolland", 40000, []town{{"4900", "Nakskov", 4}, {"4930", "Maribo", 2}, {"4970", "Rødby", 1}, {"4960", "Holeby", 0.5}, {"4952", "Stokkemarke", 0.3}}},
	{370, "Næstved", 83500, []town{{"4700", "Næstved", 9}, {"4171", "Glumsø", 0.5}, {"4160", "Herlufmagle", 0.4}, {"4736", "Karrebæksminde", 0.4}, {"4684", "Holmegaard", 0.4}, {"4262", "Sandved", 0.3}, {"4250", "Fuglebjerg", 0.5}}},
	{376, "Guldborgsund", 59500, []town{{"4800", "Nykøbing Falster", 6}, {"4840", "Nørre Alslev", 1}, {"4850", "Stubbekøbing", 1}, {"4880", "Nysted", 0.7}, {"4874", "Gedser", 0.3}, {"4990", "Sakskøbing", 1}}},
	{390, "Vordingborg", 45500, []town{{"4760", "Vordingborg", 4}, {"4720", "Præstø", 1}, {"4780", "Stege", 1.2}, {"4772", "Langebæk", 0.5}, {"4750", "Lundby", 0.5}, {"4735", "Mern", 0.3}}},
}

// Municipality is one municipality of the simulated region.
type Municipality struct {
	Code domain.MunicipalityCode
	Name string
	// ClusterIDs are the clusters it belongs to (registry ids).
	ClusterIDs []string
	// Citizens is how many of the synthetic population live there.
	Citizens int
}

// streets are common Danish street names, used for every town.
var streets = []string{
	"Vestergade", "Østergade", "Nørregade", "Søndergade", "Algade", "Jernbanegade",
	"Stationsvej", "Skolevej", "Kirkevej", "Møllevej", "Bakkevej", "Engvej",
	"Skovvej", "Ringvejen", "Strandvejen", "Parkvej", "Birkevej", "Egevej",
	"Bøgevej", "Lindevej", "Ahornvej", "Kastanievej", "Rosenvej", "Syrenvej",
	"Violvej", "Granvej", "Fyrrevej", "Markvej", "Solvej", "Havevej",
	"Slotsgade", "Torvegade", "Nygade", "Brogade", "Åvej", "Fasanvej",
	"Lærkevej", "Vibevej", "Svalevej", "Toftevej", "Kærvej", "Grønnegade",
	"Præstevej", "Idrætsvej", "Kongevejen", "Hyldevej", "Humlevej", "Tjørnevej",
}
