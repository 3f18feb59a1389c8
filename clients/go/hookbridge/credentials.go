package hookbridge

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc/credentials"
)

// plaintext is transport credentials without security, the same as
// google.golang.org/grpc/credentials/insecure.NewCredentials() of grpc-go
// 1.34 and later. This module builds against grpc-go 1.33 (Debian 12's),
// which has no such package, and grpc.WithInsecure is deprecated in the
// versions that do: this keeps one code path for both.
type plaintext struct{}

type plaintextInfo struct{ credentials.CommonAuthInfo }

func (plaintextInfo) AuthType() string { return "insecure" }

func (plaintext) ClientHandshake(_ context.Context, _ string, conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return conn, plaintextInfo{credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity}}, nil
}

func (plaintext) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return conn, plaintextInfo{credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity}}, nil
}

// Info's protocol is not "tls", so calls go out with :scheme http.
func (plaintext) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "insecure"}
}

func (plaintext) Clone() credentials.TransportCredentials { return plaintext{} }

func (plaintext) OverrideServerName(string) error { return nil }

// bearerToken sends `authorization: Bearer <token>` on every call. It does
// not require TLS: a token over plaintext is the operator's choice (a
// loopback or a private network), as with the server's plaintext port.
type bearerToken string

func (t bearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

func (bearerToken) RequireTransportSecurity() bool { return false }

// tlsConfig builds the client's TLS configuration: the system roots, or
// the certificates in caFile; serverName, when set, is the name the
// server's certificate must carry instead of the target's host.
func tlsConfig(base *tls.Config, caFile, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if base != nil {
		cfg = base.Clone()
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("hookbridge: reading the CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("hookbridge: %s holds no PEM certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	if serverName != "" {
		cfg.ServerName = serverName
	}
	return cfg, nil
}
