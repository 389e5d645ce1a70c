package pathway

import (
	"slices"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestEffectiveNotifications(t *testing.T) {
	at := func(h int) time.Time { return admitted.Add(time.Duration(h) * hour) }
	n := func(id string, code domain.NotificationCode, occurred int, replaces string) domain.HospitalNotification {
		return domain.HospitalNotification{ID: id, Code: code, OccurredAt: at(occurred), SentAt: at(occurred).Add(minute), Replaces: replaces}
	}
	type eff = effectiveNotification
	cases := []struct {
		name string
		sent []domain.HospitalNotification
		want []eff
	}{
		{
			name: "RE_ replaces, keeping the base code and taking the new time",
			sent: []domain.HospitalNotification{n("a", "STIN", 0, ""), n("b", "RE_STIN", 2, "a")},
			want: []eff{{ID: "b", Code: "STIN", OccurredAt: at(2)}},
		},
		{
			name: "AN_ removes the notification it replaces",
			sent: []domain.HospitalNotification{n("a", "STIN", 0, ""), n("s", "SLHJ", 5, ""), n("x", "AN_SLHJ", 6, "s")},
			want: []eff{{ID: "a", Code: "STIN", OccurredAt: at(0)}},
		},
		{
			name: "a correction of a correction replaces again",
			sent: []domain.HospitalNotification{n("a", "SLHJ", 5, ""), n("b", "RE_SLHJ", 6, "a"), n("c", "RE_SLHJ", 7, "b")},
			want: []eff{{ID: "c", Code: "SLHJ", OccurredAt: at(7)}},
		},
		{
			name: "a cancellation naming the original after a correction removes the corrected one",
			sent: []domain.HospitalNotification{n("a", "SLHJ", 5, ""), n("b", "RE_SLHJ", 6, "a"), n("c", "AN_SLHJ", 7, "a")},
			want: nil,
		},
		{
			name: "corrections apply in the order sent, not the order given",
			sent: []domain.HospitalNotification{n("b", "RE_STIN", 2, "a"), n("a", "STIN", 0, "")},
			want: []eff{{ID: "b", Code: "STIN", OccurredAt: at(2)}},
		},
		{
			name: "a correction without Replaces targets the latest of its code",
			sent: []domain.HospitalNotification{n("a", "STOR", 1, ""), n("b", "STOR", 3, ""), n("c", "AN_STOR", 4, "")},
			want: []eff{{ID: "a", Code: "STOR", OccurredAt: at(1)}},
		},
		{
			name: "RE_ of an unknown notification stands for its base code",
			sent: []domain.HospitalNotification{n("b", "RE_SLHJ", 6, "missing")},
			want: []eff{{ID: "b", Code: "SLHJ", OccurredAt: at(6)}},
		},
		{
			name: "AN_ of an unknown notification removes nothing",
			sent: []domain.HospitalNotification{n("a", "STIN", 0, ""), n("x", "AN_STIN", 1, "missing")},
			want: []eff{{ID: "a", Code: "STIN", OccurredAt: at(0)}},
		},
		{
			name: "invalid codes are ignored",
			sent: []domain.HospitalNotification{n("a", "STOUT", 0, ""), n("b", "RE_", 1, "a")},
			want: nil,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := effectiveNotifications(tc.sent)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
