package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/alerts/alertstest"
)

func TestContract(t *testing.T) {
	alertstest.Contract(t, func(t *testing.T) alerts.Store {
		// One process: "two replicas" are one store, as the gateway has.
		s := shared[t.Name()]
		if s == nil {
			var err error
			s, err = Open(t.Context(), filepath.Join(t.TempDir(), "alerts.db"))
			if err != nil {
				t.Fatal(err)
			}
			shared[t.Name()] = s
			t.Cleanup(func() { s.Close(); delete(shared, t.Name()) })
		}
		return s
	})
}

var shared = map[string]*Store{}
