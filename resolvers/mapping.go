package resolvers

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/graph/model"
)

// Mapping from domain values to graph types. Pure functions; enum tables
// fail soft (an unknown upstream value has already been rejected by the
// connector, so the zero value here is a programming error made visible).

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func mapAddress(a domain.Address) *model.Address {
	if a == (domain.Address{}) {
		return nil
	}
	return &model.Address{Line: a.Line, PostalCode: a.PostalCode, City: a.City, MunicipalityCode: int(a.Municipality)}
}

var encounterClasses = map[domain.EncounterClass]model.EncounterClass{
	domain.ClassInpatient:  model.EncounterClassAdmitted,
	domain.ClassEmergency:  model.EncounterClassAcuteOutpatient,
	domain.ClassVirtual:    model.EncounterClassVirtual,
	domain.ClassHomeHealth: model.EncounterClassHomeAdmission,
}

var encounterStatuses = map[domain.EncounterStatus]model.EncounterStatus{
	domain.EncounterPlanned:        model.EncounterStatusPlanned,
	domain.EncounterInProgress:     model.EncounterStatusInProgress,
	domain.EncounterOnLeave:        model.EncounterStatusOnLeave,
	domain.EncounterFinished:       model.EncounterStatusFinished,
	domain.EncounterCancelled:      model.EncounterStatusCancelled,
	domain.EncounterEnteredInError: model.EncounterStatusEnteredInError,
}

var destinations = map[domain.DischargeDestination]model.DischargeDestination{
	domain.DischargeHome:          model.DischargeDestinationHome,
	domain.DischargeHomeNursing:   model.DischargeDestinationHomeNursing,
	domain.DischargeTemporaryBed:  model.DischargeDestinationTemporaryBed,
	domain.DischargeNursingHome:   model.DischargeDestinationNursingHome,
	domain.DischargeOtherHospital: model.DischargeDestinationOtherHospital,
	domain.DischargeDeceased:      model.DischargeDestinationDeceased,
}

var notificationEvents = map[domain.NotificationCode]model.NotificationEvent{
	domain.NotifyAcuteOutpatientStart: model.NotificationEventAcuteOutpatientStarted,
	domain.NotifyAdmitted:             model.NotificationEventAdmitted,
	domain.NotifyLeaveStarts:          model.NotificationEventLeaveStarted,
	domain.NotifyLeaveEnds:            model.NotificationEventLeaveEnded,
	domain.NotifyDischarged:           model.NotificationEventDischarged,
	domain.NotifyDied:                 model.NotificationEventDied,
}

func notificationCorrection(c domain.NotificationCode) model.NotificationCorrection {
	switch {
	case c.IsCorrection():
		return model.NotificationCorrectionCorrection
	case c.IsCancellation():
		return model.NotificationCorrectionCancellation
	}
	return model.NotificationCorrectionNone
}

func mapEncounter(e domain.Encounter) model.HospitalEncounter {
	out := model.HospitalEncounter{
		ID:          e.ID,
		Class:       encounterClasses[e.Class],
		ClassCode:   string(e.Class),
		Status:      encounterStatuses[e.Status],
		Start:       e.Start,
		End:         optTime(e.End),
		Hospital:    &e.Hospital,
		Department:  &e.Department,
		Psychiatric: e.Psychiatric,
	}
	if d, ok := destinations[e.Destination]; ok {
		out.Destination = &d
	}
	out.Notifications = make([]model.HospitalNotification, len(e.Notifications))
	for i, n := range e.Notifications {
		out.Notifications[i] = model.HospitalNotification{
			ID:                       n.ID,
			Code:                     string(n.Code),
			Event:                    notificationEvents[n.Code.Base()],
			Correction:               notificationCorrection(n.Code),
			OccurredAt:               n.OccurredAt,
			SentAt:                   n.SentAt,
			ReceiverMunicipalityCode: optMunicipality(n.Receiver),
			Replaces:                 optString(n.Replaces),
		}
	}
	return out
}

func optMunicipality(c domain.MunicipalityCode) *int {
	if c == 0 {
		return nil
	}
	v := int(c)
	return &v
}

var triageOutcomes = map[domain.TriageOutcome]model.TriageOutcome{
	domain.OutcomePhoneAdvice:       model.TriageOutcomePhoneAdvice,
	domain.OutcomeClinicAppointment: model.TriageOutcomeClinicAppointment,
	domain.OutcomeHomeVisit:         model.TriageOutcomeHomeVisit,
	domain.OutcomeAcuteReferral:     model.TriageOutcomeAcuteDepartmentReferral,
	domain.OutcomeAmbulance:         model.TriageOutcomeAmbulance,
	domain.OutcomeEHospital:         model.TriageOutcomeEhospitalReferral,
	domain.OutcomeMunicipalAcute:    model.TriageOutcomeMunicipalAcuteFunction,
}

var urgencies = map[domain.Urgency]model.Urgency{
	domain.UrgencyAcute:     model.UrgencyAcute,
	domain.UrgencyUrgent:    model.UrgencyUrgent,
	domain.UrgencyNonUrgent: model.UrgencyNonUrgent,
}

func mapOutOfHours(c domain.OutOfHoursContact) model.OutOfHoursContact {
	return model.OutOfHoursContact{
		ID:         c.ID,
		ReceivedAt: c.ReceivedAt,
		TriageBy:   c.TriageBy,
		Complaint:  &c.Complaint,
		Urgency:    urgencies[c.Urgency],
		Outcome:    triageOutcomes[c.Outcome],
		StartedAt:  c.StartedAt,
		EndedAt:    optTime(c.EndedAt),
		Site:       optString(c.Site),
	}
}

var serviceStatuses = map[domain.CareServiceStatus]model.CareServiceStatus{
	domain.CareServicePlanned: model.CareServiceStatusPlanned,
	domain.CareServiceActive:  model.CareServiceStatusActive,
	domain.CareServiceEnded:   model.CareServiceStatusEnded,
}

func mapCareService(s domain.CareService, now time.Time) model.CareService {
	return model.CareService{
		ID:               s.ID,
		MunicipalityCode: int(s.Municipality),
		Service:          &s.Service,
		Law:              string(s.Law),
		Status:           serviceStatuses[s.Status],
		Active:           s.ActiveAt(now),
		Start:            s.Start,
		End:              optTime(s.End),
		Team:             s.Team,
		AcuteFunction:    s.AcuteFunction,
	}
}

var visitStatuses = map[domain.CareVisitStatus]model.CareVisitStatus{
	domain.VisitPlanned:   model.CareVisitStatusPlanned,
	domain.VisitPerformed: model.CareVisitStatusPerformed,
	domain.VisitCancelled: model.CareVisitStatusCancelled,
	domain.VisitMissed:    model.CareVisitStatusMissed,
}

func mapCareVisit(v domain.CareVisit) model.CareVisit {
	return model.CareVisit{
		ID:          v.ID,
		ServiceID:   v.ServiceID,
		PlannedAt:   v.PlannedAt,
		PerformedAt: optTime(v.PerformedAt),
		Status:      visitStatuses[v.Status],
		Team:        v.Team,
	}
}

func mapReceived(n domain.ReceivedNotification) model.ReceivedNotification {
	return model.ReceivedNotification{
		ID:          n.ID,
		MessageID:   n.MessageID,
		EncounterID: n.EncounterID,
		Code:        string(n.Code),
		Event:       notificationEvents[n.Code.Base()],
		OccurredAt:  n.OccurredAt,
		ReceivedAt:  n.ReceivedAt,
		Sender:      &n.SenderHospital,
	}
}

var referralKinds = map[domain.ReferralKind]model.ReferralKind{
	domain.ReferralHospital:        model.ReferralKindHospital,
	domain.ReferralMunicipal:       model.ReferralKindMunicipal,
	domain.ReferralPPR:             model.ReferralKindPpr,
	domain.ReferralChildPsychiatry: model.ReferralKindChildPsychiatry,
}

var referralStatuses = map[domain.ReferralStatus]model.ReferralStatus{
	domain.ReferralSent:      model.ReferralStatusSent,
	domain.ReferralReceived:  model.ReferralStatusReceived,
	domain.ReferralVisitated: model.ReferralStatusVisitated,
	domain.ReferralRejected:  model.ReferralStatusRejected,
	domain.ReferralCompleted: model.ReferralStatusCompleted,
}

var referralPriorities = map[domain.ReferralPriority]model.ReferralPriority{
	domain.PriorityAcute:   model.ReferralPriorityAcute,
	domain.PriorityUrgent:  model.ReferralPriorityUrgent,
	domain.PriorityRoutine: model.ReferralPriorityRoutine,
}

func mapReferral(r domain.Referral) model.Referral {
	out := model.Referral{
		ID:               r.ID,
		Kind:             referralKinds[r.Kind],
		SenderYdernummer: string(r.Sender),
		Receiver: &model.ReferralReceiver{
			Kind:             r.Receiver.Kind,
			Sor:              optString(string(r.Receiver.SOR)),
			MunicipalityCode: optMunicipality(r.Receiver.Municipality),
			Name:             r.Receiver.Name,
		},
		Reason:   &r.Reason,
		Priority: referralPriorities[r.Priority],
		SentAt:   r.SentAt,
		Status:   referralStatuses[r.Status()],
	}
	out.History = make([]model.ReferralStatusChange, len(r.History))
	for i, h := range r.History {
		out.History[i] = model.ReferralStatusChange{Status: referralStatuses[h.Status], At: h.At, Note: optString(h.Note)}
	}
	return out
}

// mapAll maps a slice.
func mapAll[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
