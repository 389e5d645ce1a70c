package upstream

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// testPKI is a private CA with a server certificate for 127.0.0.1 and a
// client certificate, written as PEM files.
type testPKI struct {
	caPool                        *x509.CertPool
	serverCert                    tls.Certificate
	caFile, clientCert, clientKey string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "klynge test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage, ips []net.IP) ([]byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	}
	srvCert, srvKey := issue(2, "upstream", x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")})
	cliCert, cliKey := issue(3, "klynge-gateway", x509.ExtKeyUsageClientAuth, nil)
	serverPair, err := tls.X509KeyPair(srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	p := testPKI{
		caPool: x509.NewCertPool(), serverCert: serverPair,
		caFile: filepath.Join(dir, "ca.pem"), clientCert: filepath.Join(dir, "client.pem"), clientKey: filepath.Join(dir, "client-key.pem"),
	}
	p.caPool.AddCert(ca)
	for file, data := range map[string][]byte{
		p.caFile:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		p.clientCert: cliCert, p.clientKey: cliKey,
	} {
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestMutualTLS(t *testing.T) {
	pki := newTestPKI(t)
	var served atomic.Int32
	var clientCN atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		clientCN.Store(r.TLS.PeerCertificates[0].Subject.CommonName)
		_, _ = w.Write([]byte(`{}`))
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{pki.serverCert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.caPool,
	}
	srv.Config.ErrorLog = discardLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	fast := RetryOptions{WaitMin: time.Millisecond, WaitMax: time.Millisecond}

	t.Run("client certificate is presented and the private CA trusted", func(t *testing.T) {
		c := newTestClient(t, Options{BaseURL: srv.URL, Retry: fast,
			Auth: Auth{CertFile: pki.clientCert, KeyFile: pki.clientKey, CAFile: pki.caFile}})
		if err := get(context.Background(), c, "/"); err != nil {
			t.Fatal(err)
		}
		if cn, _ := clientCN.Load().(string); cn != "klynge-gateway" {
			t.Fatalf("server saw client certificate %q, want klynge-gateway", cn)
		}
	})
	t.Run("without a client certificate the upstream is unavailable", func(t *testing.T) {
		before := served.Load()
		c := newTestClient(t, Options{BaseURL: srv.URL, Retry: fast, Auth: Auth{CAFile: pki.caFile}})
		err := get(context.Background(), c, "/")
		var ue *UnavailableError
		if !errors.As(err, &ue) {
			t.Fatalf("want *UnavailableError, got %T %v", err, err)
		}
		if served.Load() != before {
			t.Fatal("a request without a client certificate was served")
		}
	})
	t.Run("a server certificate from an unknown CA is refused", func(t *testing.T) {
		c := newTestClient(t, Options{BaseURL: srv.URL, Retry: fast,
			Auth: Auth{CertFile: pki.clientCert, KeyFile: pki.clientKey}})
		err := get(context.Background(), c, "/")
		var ue *UnavailableError
		var verr *tls.CertificateVerificationError
		if !errors.As(err, &ue) || !errors.As(err, &verr) {
			t.Fatalf("want *UnavailableError wrapping a certificate verification error, got %T %v", err, err)
		}
	})
}

// discardLog silences the test server's TLS handshake complaints, which
// are the point of these tests.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
