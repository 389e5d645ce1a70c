package domain

import "testing"

func TestIsHandsOnCare(t *testing.T) {
	tests := []struct {
		name string
		s    CareService
		want bool
	}{
		{"home nursing", CareService{Law: ServiceNursing, Service: Coding{Code: "G1.20"}}, true},
		{"personal care H1.1", CareService{Law: ServicePersonalCare, Service: Coding{Code: "H1.1"}}, true},
		{"personal care H1.11", CareService{Law: ServicePersonalCare, Service: Coding{Code: "H1.11"}}, true},
		{"cleaning H1.7 is practical help", CareService{Law: ServicePersonalCare, Service: Coding{Code: "H1.7"}}, false},
		{"shopping H1.10 is practical help", CareService{Law: ServicePersonalCare, Service: Coding{Code: "H1.10"}}, false},
		{"rehabilitation", CareService{Law: ServiceRehabilitation, Service: Coding{Code: "H3.1"}}, false},
		{"training", CareService{Law: ServiceTraining}, false},
		{"acute function whatever the code", CareService{Law: ServiceRehabilitation, AcuteFunction: true}, true},
		{"malformed personal-care code", CareService{Law: ServicePersonalCare, Service: Coding{Code: "H1.x"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.IsHandsOnCare(); got != tt.want {
				t.Fatalf("IsHandsOnCare = %v, want %v", got, tt.want)
			}
		})
	}
}
