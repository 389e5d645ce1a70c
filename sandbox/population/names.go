package population

// Given names by generation (born before 1960, 1960-1994, from 1995), common
// in Denmark in those years; family names weighted roughly by frequency.
var (
	givenFemale = [3][]string{
		{"Kirsten", "Hanne", "Bente", "Inge", "Karen", "Grethe", "Birthe", "Jytte", "Else", "Ingrid", "Ellen", "Ruth", "Lis", "Annelise", "Kirsten Marie", "Ulla", "Lene", "Susanne"},
		{"Anne", "Mette", "Susanne", "Lene", "Helle", "Charlotte", "Camilla", "Maria", "Louise", "Tina", "Pia", "Gitte", "Marianne", "Lone", "Heidi", "Rikke", "Trine", "Sanne"},
		{"Emma", "Ida", "Freja", "Clara", "Alma", "Sofia", "Ella", "Laura", "Agnes", "Olivia", "Anna", "Josefine", "Mathilde", "Karla", "Frida", "Nora", "Liva", "Asta"},
	}
	givenMale = [3][]string{
		{"Jens", "Hans", "Jørgen", "Niels", "Poul", "Knud", "Erik", "Ole", "Bent", "Svend", "Arne", "Leif", "Kurt", "Finn", "Per", "Carl", "Preben", "Flemming"},
		{"Peter", "Michael", "Lars", "Henrik", "Thomas", "Søren", "Martin", "Jesper", "Morten", "Anders", "Jan", "Christian", "Brian", "Rasmus", "Kim", "Jacob", "Kenneth", "Mads"},
		{"William", "Noah", "Oscar", "Lucas", "Carl", "Victor", "Emil", "Oliver", "Alfred", "Malthe", "Magnus", "Frederik", "Elias", "Aksel", "Valdemar", "August", "Anton", "Villads"},
	}
	familyNames = []weighted[string]{
		{"Nielsen", 24}, {"Jensen", 24}, {"Hansen", 20}, {"Pedersen", 15}, {"Andersen", 15},
		{"Christensen", 11}, {"Larsen", 10}, {"Sørensen", 10}, {"Rasmussen", 8}, {"Jørgensen", 8},
		{"Petersen", 7}, {"Madsen", 6}, {"Kristensen", 6}, {"Olsen", 5}, {"Thomsen", 4},
		{"Christiansen", 4}, {"Poulsen", 3.5}, {"Johansen", 3.5}, {"Møller", 3.5}, {"Mortensen", 3.5},
		{"Knudsen", 2.5}, {"Jakobsen", 2.5}, {"Mikkelsen", 2.5}, {"Olesen", 2.5}, {"Frederiksen", 2.5},
		{"Laursen", 2}, {"Henriksen", 2}, {"Lund", 2}, {"Holm", 2}, {"Schmidt", 2},
		{"Eriksen", 1.5}, {"Kristiansen", 1.5}, {"Clausen", 1.5}, {"Simonsen", 1.5}, {"Svendsen", 1.5},
		{"Andreasen", 1.2}, {"Iversen", 1.2}, {"Jeppesen", 1.1}, {"Mogensen", 1}, {"Nygaard", 1},
	}
)

func generation(birthYear int) int {
	switch {
	case birthYear < 1960:
		return 0
	case birthYear < 1995:
		return 1
	}
	return 2
}
