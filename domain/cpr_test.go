package domain

import (
	"errors"
	"testing"
	"time"
)

func TestParseCPR(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     CPR
		wantRule string
	}{
		{"plain ten digits", "6703851234", "6703851234", ""},
		{"hyphenated", "670385-1234", "6703851234", ""},
		{"ordinary day is accepted", "0703851234", "0703851234", ""},
		{"fails modulus 11 but is accepted", "6101901111", "6101901111", ""},
		{"too short", "670385123", "", "format"},
		{"too long", "67038512345", "", "format"},
		{"space separator", "670385 1234", "", "format"},
		{"letters", "67038a1234", "", "format"},
		{"unicode digits", "６７03851234", "", "format"},
		{"month 13", "6713851234", "", "month"},
		{"month 00", "6700851234", "", "month"},
		{"day 00", "0003851234", "", "day"},
		{"day 32", "3203851234", "", "day"},
		{"day 60", "6003851234", "", "day"},
		{"day 92", "9203851234", "", "day"},
		{"31 April", "3104851234", "", "date"},
		{"replacement 31 April", "9104851234", "", "date"},
		{"29 Feb in leap year 1984", "8902841234", "8902841234", ""},
		{"29 Feb in common year 1985", "8902851234", "", "date"},
		{"29 Feb 2000 (serial 4)", "8902004234", "8902004234", ""},
		{"29 Feb 1900 is not a date (serial 0)", "8902000234", "", "date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCPR(tt.in)
			if tt.wantRule == "" {
				if err != nil {
					t.Fatalf("ParseCPR(%q): unexpected error %v", tt.in, err)
				}
				if got != tt.want {
					t.Fatalf("ParseCPR(%q) = %q, want %q", tt.in, got, tt.want)
				}
				return
			}
			var cerr *CPRError
			if !errors.As(err, &cerr) {
				t.Fatalf("ParseCPR(%q): want *CPRError with rule %q, got %v", tt.in, tt.wantRule, err)
			}
			if cerr.Rule != tt.wantRule {
				t.Fatalf("ParseCPR(%q): rule %q, want %q (%v)", tt.in, cerr.Rule, tt.wantRule, err)
			}
			if !errors.Is(err, ErrInvalidCPR) {
				t.Fatalf("errors.Is(err, ErrInvalidCPR) = false for %v", err)
			}
		})
	}
}

func TestCPRCentury(t *testing.T) {
	tests := []struct {
		cpr      string
		wantYear int
	}{
		{"6701370000", 1937}, // serial 0-3: 1900s
		{"6701993999", 1999},
		{"6701364000", 2036}, // 4: 2000 when YY <= 36
		{"6701374000", 1937},
		{"6701369000", 2036}, // 9 behaves as 4
		{"6701379999", 1937},
		{"6701575000", 2057}, // 5-8: 2000 when YY <= 57
		{"6701588000", 1858}, // else 1800s
		{"6701998999", 1899},
	}
	for _, tt := range tests {
		t.Run(tt.cpr, func(t *testing.T) {
			c := MustParseCPR(tt.cpr)
			if got := c.BirthDate().Year(); got != tt.wantYear {
				t.Fatalf("birth year of %s = %d, want %d", tt.cpr, got, tt.wantYear)
			}
		})
	}
}

func TestCPRDerivedFacts(t *testing.T) {
	c := MustParseCPR("670385-1235")
	if got, want := c.BirthDate(), time.Date(1985, 3, 7, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("BirthDate = %v, want %v (day 67 is the 7th)", got, want)
	}
	if !c.IsReplacement() {
		t.Error("IsReplacement = false for day 67")
	}
	if c.Sex() != SexMale {
		t.Errorf("Sex = %v, want male for odd last digit", c.Sex())
	}
	if MustParseCPR("6703851234").Sex() != SexFemale {
		t.Error("even last digit should be female")
	}
	if got := c.Masked(); got != "670385-XXXX" {
		t.Errorf("Masked = %q", got)
	}
	if got := c.String(); got != "670385-1235" {
		t.Errorf("String = %q", got)
	}
	ages := []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 3, 6, 23, 0, 0, 0, time.UTC), 40},
		{time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC), 41},
	}
	for _, a := range ages {
		if got := c.AgeAt(a.at); got != a.want {
			t.Errorf("AgeAt(%v) = %d, want %d", a.at, got, a.want)
		}
	}
	leapling := MustParseCPR("8902841234")
	if got := leapling.AgeAt(time.Date(2025, 2, 28, 12, 0, 0, 0, time.UTC)); got != 40 {
		t.Errorf("leapling age on 28 Feb 2025 = %d, want 40", got)
	}
	if got := leapling.AgeAt(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)); got != 41 {
		t.Errorf("leapling age on 1 Mar 2025 = %d, want 41", got)
	}
}

// FuzzParseCPR checks that Parse never panics and that whatever it accepts
// round-trips through both written forms.
func FuzzParseCPR(f *testing.F) {
	for _, s := range []string{"6703851234", "670385-1234", "", "-", "9999999999", "3102000000", "670385-12345", "６７03851234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCPR(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidCPR) {
				t.Fatalf("error %v is not ErrInvalidCPR", err)
			}
			return
		}
		again, err := ParseCPR(c.String())
		if err != nil || again != c {
			t.Fatalf("round trip of %q: %q, %v", s, again, err)
		}
		_ = c.AgeAt(time.Now())
		_ = c.Masked()
	})
}
