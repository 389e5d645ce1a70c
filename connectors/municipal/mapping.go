package municipal

import (
	"github.com/sundhedsklynge/klynge/connectors/municipal/municipalapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// SystemFSIII is the code system of municipal services (Fælles Sprog III).
const SystemFSIII = "urn:oid:1.2.208.176.2.21"

var (
	laws = []string{
		string(domain.ServicePersonalCare), string(domain.ServiceRehabilitation),
		string(domain.ServiceTraining), string(domain.ServiceNursing),
	}
	serviceStatuses = []string{string(domain.CareServicePlanned), string(domain.CareServiceActive), string(domain.CareServiceEnded)}
	visitStatuses   = []string{
		string(domain.VisitPlanned), string(domain.VisitPerformed), string(domain.VisitCancelled), string(domain.VisitMissed),
	}
)

var servicesKind = searchKind[municipalapi.Service, domain.CareService]{
	op: "service_search", path: "/services/search", member: "services",
	mapRecord: func(code domain.MunicipalityCode, chk *upstream.Checker, w municipalapi.Service) domain.CareService {
		s := domain.CareService{
			ID:            chk.Required("id", w.ID),
			CPR:           chk.CPR("cpr", w.CPR),
			Municipality:  code,
			Service:       domain.Coding{System: SystemFSIII, Code: chk.Required("fsiiiCode", w.FSIIICode), Display: w.FSIIIDisplay},
			Law:           domain.LawSection(chk.OneOf("law", w.Law, laws...)),
			Status:        domain.CareServiceStatus(chk.OneOf("status", w.Status, serviceStatuses...)),
			Start:         chk.Time("start", w.Start),
			End:           chk.OptionalTime("end", w.End),
			Team:          w.Team,
			AcuteFunction: w.AcuteFunction,
		}
		if !s.End.IsZero() && s.End.Before(s.Start) {
			chk.Fail("end", "must not be before start")
		}
		return s
	},
	cpr:     func(s domain.CareService) domain.CPR { return s.CPR },
	compare: func(a, b domain.CareService) int { return a.Start.Compare(b.Start) },
}

var visitsKind = searchKind[municipalapi.Visit, domain.CareVisit]{
	op: "visit_search", path: "/visits/search", member: "visits",
	mapRecord: func(code domain.MunicipalityCode, chk *upstream.Checker, w municipalapi.Visit) domain.CareVisit {
		v := domain.CareVisit{
			ID:           chk.Required("id", w.ID),
			CPR:          chk.CPR("cpr", w.CPR),
			Municipality: code,
			ServiceID:    w.ServiceID,
			PlannedAt:    chk.Time("plannedAt", w.PlannedAt),
			PerformedAt:  chk.OptionalTime("performedAt", w.PerformedAt),
			Status:       domain.CareVisitStatus(chk.OneOf("status", w.Status, visitStatuses...)),
			Team:         w.Team,
		}
		if v.Status == domain.VisitPerformed && v.PerformedAt.IsZero() {
			chk.Fail("performedAt", "must be set when status is performed")
		}
		return v
	},
	cpr:     func(v domain.CareVisit) domain.CPR { return v.CPR },
	compare: func(a, b domain.CareVisit) int { return a.PlannedAt.Compare(b.PlannedAt) },
}

var notificationsKind = searchKind[municipalapi.ReceivedNotification, domain.ReceivedNotification]{
	op: "notification_search", path: "/notifications/search", member: "notifications",
	mapRecord: func(code domain.MunicipalityCode, chk *upstream.Checker, w municipalapi.ReceivedNotification) domain.ReceivedNotification {
		n := domain.ReceivedNotification{
			ID:             chk.Required("id", w.ID),
			MessageID:      w.MessageID,
			EncounterID:    chk.Required("encounterId", w.EncounterID),
			CPR:            chk.CPR("cpr", w.CPR),
			Municipality:   code,
			Code:           domain.NotificationCode(w.Code),
			OccurredAt:     chk.Time("occurredAt", w.OccurredAt),
			ReceivedAt:     chk.Time("receivedAt", w.ReceivedAt),
			SenderHospital: domain.Organization{SOR: domain.SORCode(w.SenderSOR), Name: w.SenderName},
		}
		chk.Expect(n.Code.Valid(), "code", "unknown MedCom HospitalNotification code")
		return n
	},
	cpr: func(n domain.ReceivedNotification) domain.CPR { return n.CPR },
	compare: func(a, b domain.ReceivedNotification) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return a.OccurredAt.Compare(b.OccurredAt)
	},
}
