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

var servicesKind = searchKind[domain.CareService]{
	op: "service_search", path: "/services/search",
	decode: func(m *mapper, body []byte) ([]domain.CareService, error) {
		var resp municipalapi.ServicesResponse
		if err := upstream.DecodeJSON(m.chk.System(), m.chk.Op(), body, &resp); err != nil {
			return nil, err
		}
		out := make([]domain.CareService, 0, len(resp.Services))
		for i, w := range resp.Services {
			m.chk.At("services[%d]", i)
			s := domain.CareService{
				ID:            m.chk.Required("id", w.ID),
				CPR:           m.citizen(w.CPR),
				Municipality:  m.code,
				Service:       domain.Coding{System: SystemFSIII, Code: m.chk.Required("fsiiiCode", w.FSIIICode), Display: w.FSIIIDisplay},
				Law:           domain.LawSection(m.chk.OneOf("law", w.Law, laws...)),
				Status:        domain.CareServiceStatus(m.chk.OneOf("status", w.Status, serviceStatuses...)),
				Start:         m.chk.Time("start", w.Start),
				End:           m.chk.OptionalTime("end", w.End),
				Team:          w.Team,
				AcuteFunction: w.AcuteFunction,
			}
			if !s.End.IsZero() && s.End.Before(s.Start) {
				m.chk.Fail("end", "must not be before start")
			}
			if m.chk.Failed() {
				return nil, m.chk.Err()
			}
			out = append(out, s)
		}
		return out, nil
	},
	cpr:     func(s domain.CareService) domain.CPR { return s.CPR },
	compare: func(a, b domain.CareService) int { return a.Start.Compare(b.Start) },
}

var visitsKind = searchKind[domain.CareVisit]{
	op: "visit_search", path: "/visits/search",
	decode: func(m *mapper, body []byte) ([]domain.CareVisit, error) {
		var resp municipalapi.VisitsResponse
		if err := upstream.DecodeJSON(m.chk.System(), m.chk.Op(), body, &resp); err != nil {
			return nil, err
		}
		out := make([]domain.CareVisit, 0, len(resp.Visits))
		for i, w := range resp.Visits {
			m.chk.At("visits[%d]", i)
			v := domain.CareVisit{
				ID:           m.chk.Required("id", w.ID),
				CPR:          m.citizen(w.CPR),
				Municipality: m.code,
				ServiceID:    w.ServiceID,
				PlannedAt:    m.chk.Time("plannedAt", w.PlannedAt),
				PerformedAt:  m.chk.OptionalTime("performedAt", w.PerformedAt),
				Status:       domain.CareVisitStatus(m.chk.OneOf("status", w.Status, visitStatuses...)),
				Team:         w.Team,
			}
			if v.Status == domain.VisitPerformed && v.PerformedAt.IsZero() {
				m.chk.Fail("performedAt", "must be set when status is performed")
			}
			if m.chk.Failed() {
				return nil, m.chk.Err()
			}
			out = append(out, v)
		}
		return out, nil
	},
	cpr:     func(v domain.CareVisit) domain.CPR { return v.CPR },
	compare: func(a, b domain.CareVisit) int { return a.PlannedAt.Compare(b.PlannedAt) },
}

var notificationsKind = searchKind[domain.ReceivedNotification]{
	op: "notification_search", path: "/notifications/search",
	decode: func(m *mapper, body []byte) ([]domain.ReceivedNotification, error) {
		var resp municipalapi.NotificationsResponse
		if err := upstream.DecodeJSON(m.chk.System(), m.chk.Op(), body, &resp); err != nil {
			return nil, err
		}
		out := make([]domain.ReceivedNotification, 0, len(resp.Notifications))
		for i, w := range resp.Notifications {
			m.chk.At("notifications[%d]", i)
			n := domain.ReceivedNotification{
				ID:             m.chk.Required("id", w.ID),
				MessageID:      w.MessageID,
				EncounterID:    m.chk.Required("encounterId", w.EncounterID),
				CPR:            m.citizen(w.CPR),
				Municipality:   m.code,
				Code:           domain.NotificationCode(w.Code),
				OccurredAt:     m.chk.Time("occurredAt", w.OccurredAt),
				ReceivedAt:     m.chk.Time("receivedAt", w.ReceivedAt),
				SenderHospital: domain.Organization{SOR: domain.SORCode(w.SenderSOR), Name: w.SenderName},
			}
			m.chk.Expect(n.Code.Valid(), "code", "unknown MedCom HospitalNotification code")
			if m.chk.Failed() {
				return nil, m.chk.Err()
			}
			out = append(out, n)
		}
		return out, nil
	},
	cpr: func(n domain.ReceivedNotification) domain.CPR { return n.CPR },
	compare: func(a, b domain.ReceivedNotification) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return a.OccurredAt.Compare(b.OccurredAt)
	},
}
