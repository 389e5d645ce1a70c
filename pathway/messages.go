package pathway

import (
	"fmt"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Gap messages are read by nurses and coordinators on a worklist: plain
// sentences, durations in hours or days, no CPR number and no name (the
// citizen is "the citizen"; organisations and municipality codes are not
// personal).

func notNotifiedMessage(home domain.MunicipalityCode, dest domain.DischargeDestination, grace time.Duration,
	sent bool, lateBy time.Duration, late bool) string {
	msg := fmt.Sprintf("Municipality %d had not received the discharge notification (SLHJ) %s after the discharge %s.",
		home, spell(grace), destinationPhrase(dest))
	switch {
	case late:
		msg += fmt.Sprintf(" It arrived %s after discharge.", spell(lateBy))
	case !sent:
		msg += " The hospital has no record of sending one."
	}
	return msg
}

func noVisitMessage(unmet []activeNeed, within time.Duration, unperformed, otherServices int,
	firstAfter time.Duration, visitedLater bool) string {
	var why, names []string
	for _, n := range unmet {
		names = append(names, n.need.Name)
		var because []string
		if n.byDestination {
			because = append(because, "discharged to home nursing")
		}
		if len(n.services) > 0 {
			codes := make([]string, 0, len(n.services))
			for _, s := range n.services {
				codes = append(codes, s.Service.Code)
			}
			because = append(because, plural(len(n.services), "service", "services")+" "+strings.Join(codes, ", ")+" active at discharge")
		}
		why = append(why, n.need.Name+": "+strings.Join(because, ", "))
	}
	msg := fmt.Sprintf("Care was needed (%s), but no visit for it was performed within %s of discharge.",
		strings.Join(why, "; "), spell(within))
	if unperformed > 0 {
		verb := "were"
		if unperformed == 1 {
			verb = "was"
		}
		msg += fmt.Sprintf(" %s in that time %s not performed.", capitalise(plural(unperformed, "planned visit", "planned visits")), verb)
	}
	if otherServices > 0 {
		msg += fmt.Sprintf(" %s in that time %s for other services (not %s).",
			capitalise(plural(otherServices, "performed visit", "performed visits")), map[bool]string{true: "was", false: "were"}[otherServices == 1],
			strings.Join(names, " or "))
	}
	if visitedLater {
		msg += fmt.Sprintf(" The first visit was performed %s after discharge.", spell(firstAfter))
	}
	return msg
}

func outOfHoursMessage(contacts int, firstAfter, within time.Duration) string {
	if contacts == 1 {
		return fmt.Sprintf("The citizen contacted the out-of-hours service %s after discharge (within the first %s).",
			spell(firstAfter), spell(within))
	}
	return fmt.Sprintf("The citizen contacted the out-of-hours service %d times within %s of discharge, first %s after discharge.",
		contacts, spell(within), spell(firstAfter))
}

func readmittedMessage(after, within time.Duration) string {
	return fmt.Sprintf("The citizen was admitted again %s after discharge (within the first %s).",
		spell(after), spell(within))
}

func referralRejectedMessage(refs []domain.Referral) string {
	if len(refs) == 1 {
		return fmt.Sprintf("A GP referral%s sent during the pathway was rejected.", referralPhrase(refs[0]))
	}
	return fmt.Sprintf("%d GP referrals sent during the pathway were rejected.", len(refs))
}

func referralNotAnsweredMessage(refs []domain.Referral, within time.Duration) string {
	if len(refs) == 1 {
		return fmt.Sprintf("A GP referral%s sent during the pathway had no answer %s after it was sent.",
			referralPhrase(refs[0]), spell(within))
	}
	return fmt.Sprintf("%d GP referrals sent during the pathway had no answer %s after they were sent.", len(refs), spell(within))
}

// referralPhrase is what is known of a referral's kind and receiver, with
// a leading space, or "" when nothing is.
func referralPhrase(r domain.Referral) string {
	var parts []string
	if r.Kind != "" {
		parts = append(parts, "("+string(r.Kind)+")")
	}
	switch {
	case r.Receiver.Name != "":
		parts = append(parts, "to "+r.Receiver.Name)
	case r.Receiver.Municipality != 0:
		parts = append(parts, fmt.Sprintf("to municipality %d", r.Receiver.Municipality))
	}
	if len(parts) == 0 {
		return "" // neither kind nor receiver known: "A GP referral sent …"
	}
	return " " + strings.Join(parts, " ")
}

func medicationMessage(coverDays int, contactAfter time.Duration, contactLater bool) string {
	msg := fmt.Sprintf("The 72-hour rule applied, but the citizen had no GP contact before the %s of discharge medication ran out.",
		plural(coverDays, "day", "days"))
	if contactLater {
		msg += fmt.Sprintf(" The first GP contact came %s after discharge.", spell(contactAfter))
	}
	return msg
}

// spell writes a duration for people: minutes below an hour, hours up to
// four days (the rules speak of 24 and 72 hours), days beyond; rounded down.
func spell(d time.Duration) string {
	switch {
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute", "minutes")
	case d < 96*time.Hour:
		return plural(int(d/time.Hour), "hour", "hours")
	}
	return plural(int(d/day), "day", "days")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
