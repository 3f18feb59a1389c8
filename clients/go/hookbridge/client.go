package hookbridge

import (
	"context"
	"crypto/tls"
	"time"

	"google.golang.org/grpc"
	grpcbackoff "google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"

	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
)

// Event is one webhook delivery (the generated hookbridge.v1.Event): its
// typed payload is the Payload oneof (GetCkeditor(), GetCkbox(),
// GetDocspace(), GetCand()), an untyped one a Struct (GetUntyped()).
type Event = hookbridgev1.Event

// ServerInfo is the server's version, event log and limits.
type ServerInfo = hookbridgev1.GetServerInfoResponse

// EventTypes lists, per provider, the event types that arrive typed.
type EventTypes = hookbridgev1.ListEventTypesResponse

// An Option configures Dial.
type Option func(*dialConfig)

type dialConfig struct {
	token       string
	tls         bool
	caFile      string
	tlsConfig   *tls.Config
	serverName  string
	dialOptions []grpc.DialOption
}

// WithToken sends `authorization: Bearer <token>` on every call.
func WithToken(token string) Option {
	return func(c *dialConfig) { c.token = token }
}

// WithTLS connects over TLS, trusting the certificates in caFile, or the
// system roots when caFile is "". Without WithTLS or WithTLSConfig the
// connection is plaintext.
func WithTLS(caFile string) Option {
	return func(c *dialConfig) { c.tls, c.caFile = true, caFile }
}

// WithTLSConfig connects over TLS with this configuration (client
// certificates, pinned roots...). WithTLS's CA file and WithServerName
// still apply on top of it.
func WithTLSConfig(cfg *tls.Config) Option {
	return func(c *dialConfig) { c.tls, c.tlsConfig = true, cfg }
}

// WithServerName checks the server's certificate against name instead of
// the target's host (TLS only).
func WithServerName(name string) Option {
	return func(c *dialConfig) { c.serverName = name }
}

// WithDialOptions adds grpc.DialOptions, e.g. a custom dialer or
// interceptors; they come after the ones Dial sets.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *dialConfig) { c.dialOptions = append(c.dialOptions, opts...) }
}

// Client is a connection to a hookbridge server. It is safe for concurrent
// use; close it when done.
type Client struct {
	conn *grpc.ClientConn // nil in tests that fake the service
	api  hookbridgev1.EventBridgeServiceClient
}

// Dial connects to target (host:port, or any gRPC target name). It does not
// wait for the connection: the first call does, and a Subscription
// reconnects by itself. ctx bounds only the dial.
func Dial(ctx context.Context, target string, opts ...Option) (*Client, error) {
	var cfg dialConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	dialOpts := []grpc.DialOption{
		// Reconnect the channel on the same scale as the subscription's
		// backoff (gRPC's default grows to 120 s).
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: grpcbackoff.Config{
				BaseDelay:  DefaultInitialBackoff,
				Multiplier: 1.6,
				Jitter:     0.2,
				MaxDelay:   DefaultMaxBackoff,
			},
			MinConnectTimeout: 10 * time.Second,
		}),
	}
	if cfg.tls {
		tc, err := tlsConfig(cfg.tlsConfig, cfg.caFile, cfg.serverName)
		if err != nil {
			return nil, err
		}
		dialOpts = append(dialOpts, grpc.WithTransportCredentials(credentials.NewTLS(tc)))
	} else {
		dialOpts = append(dialOpts, grpc.WithTransportCredentials(plaintext{}))
	}
	if cfg.token != "" {
		dialOpts = append(dialOpts, grpc.WithPerRPCCredentials(bearerToken(cfg.token)))
	}
	dialOpts = append(dialOpts, cfg.dialOptions...)
	conn, err := grpc.DialContext(ctx, target, dialOpts...)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, api: hookbridgev1.NewEventBridgeServiceClient(conn)}, nil
}

// Close closes the connection; subscriptions on it end.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// Service is the generated client of hookbridge.v1.EventBridgeService, for
// calls the library does not wrap.
func (c *Client) Service() hookbridgev1.EventBridgeServiceClient { return c.api }

// ServerInfo calls GetServerInfo: version, event log, limits. A failure is
// an *Error.
func (c *Client) ServerInfo(ctx context.Context) (*ServerInfo, error) {
	info, err := c.api.GetServerInfo(ctx, &hookbridgev1.GetServerInfoRequest{})
	if err != nil {
		return nil, NewError(err, nil)
	}
	return info, nil
}

// EventTypes calls ListEventTypes. A failure is an *Error.
func (c *Client) EventTypes(ctx context.Context) (*EventTypes, error) {
	types, err := c.api.ListEventTypes(ctx, &hookbridgev1.ListEventTypesRequest{})
	if err != nil {
		return nil, NewError(err, nil)
	}
	return types, nil
}

// Run subscribes and calls handle for each event, in sequence order, until
// ctx is cancelled (Run returns nil), the subscription ends with an error
// (returned), or handle returns an error (returned as is). With a cursor
// store, an event's position is saved once handle returned nil for it.
func (c *Client) Run(ctx context.Context, filter Filter, handle func(*Event) error, opts ...SubscribeOption) error {
	sub := c.Subscribe(ctx, filter, opts...)
	defer sub.Close()
	for sub.Next() {
		if err := handle(sub.Event()); err != nil {
			return err
		}
	}
	return sub.Err()
}
