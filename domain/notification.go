package domain

import (
	"strings"
	"time"
)

// NotificationCode is a MedCom HospitalNotification (advis om sygehusophold)
// code in its classic form: STAA, STIN, STOR, SLOR, SLHJ, MORS, and RE_xx /
// AN_xx for a correction or cancellation of xx.
type NotificationCode string

const (
	NotifyAcuteOutpatientStart NotificationCode = "STAA" // acute outpatient stay starts
	NotifyAdmitted             NotificationCode = "STIN" // admitted
	NotifyLeaveStarts          NotificationCode = "STOR" // leave starts
	NotifyLeaveEnds            NotificationCode = "SLOR" // leave ends
	NotifyDischarged           NotificationCode = "SLHJ" // discharged home / to primary sector
	NotifyDied                 NotificationCode = "MORS" // died
)

// BaseNotificationCodes are the six event codes, without RE_/AN_ prefixes.
var BaseNotificationCodes = []NotificationCode{
	NotifyAcuteOutpatientStart, NotifyAdmitted, NotifyLeaveStarts,
	NotifyLeaveEnds, NotifyDischarged, NotifyDied,
}

// Base strips a RE_ or AN_ prefix.
func (c NotificationCode) Base() NotificationCode {
	s := string(c)
	if strings.HasPrefix(s, "RE_") || strings.HasPrefix(s, "AN_") {
		return NotificationCode(s[3:])
	}
	return c
}

// IsCorrection reports RE_xx: the notification replaces an earlier xx.
func (c NotificationCode) IsCorrection() bool { return strings.HasPrefix(string(c), "RE_") }

// IsCancellation reports AN_xx: the notification cancels an earlier xx.
func (c NotificationCode) IsCancellation() bool { return strings.HasPrefix(string(c), "AN_") }

// Valid reports whether c is one of the base codes or RE_/AN_ of one.
func (c NotificationCode) Valid() bool {
	b := c.Base()
	for _, k := range BaseNotificationCodes {
		if b == k {
			return true
		}
	}
	return false
}

// EncounterStatusAfter is the FHIR Encounter.status a notification implies,
// per DOMAIN.md (AN_ of anything is entered-in-error).
func (c NotificationCode) EncounterStatusAfter() EncounterStatus {
	if c.IsCancellation() {
		return EncounterEnteredInError
	}
	switch c.Base() {
	case NotifyLeaveStarts:
		return EncounterOnLeave
	case NotifyDischarged, NotifyDied:
		return EncounterFinished
	default:
		return EncounterInProgress
	}
}

// HospitalNotification is one MedCom HospitalNotification as the hospital
// sent it.
type HospitalNotification struct {
	ID          string
	EncounterID string
	CPR         CPR
	Code        NotificationCode
	// OccurredAt is when the event happened; SentAt when the message left.
	OccurredAt time.Time
	SentAt     time.Time
	Sender     Organization
	// Receiver is the municipality of residence the message was sent to.
	Receiver MunicipalityCode
	// Replaces names the notification a RE_/AN_ message corrects or cancels.
	Replaces string
}

// ReceivedNotification is a HospitalNotification as a municipality's care
// system logged its arrival. Whether one arrived is a fact of the municipal
// side: a sent notification may never have been received.
type ReceivedNotification struct {
	ID             string
	MessageID      string // the HospitalNotification.ID it carried
	EncounterID    string
	CPR            CPR
	Municipality   MunicipalityCode
	Code           NotificationCode
	OccurredAt     time.Time
	ReceivedAt     time.Time
	SenderHospital Organization
}
