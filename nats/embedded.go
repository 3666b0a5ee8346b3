package nats

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
)

// Embedded is a JetStream server inside this process, with no network
// listener: the single-machine shape and the tests use the same queue
// code as a cluster.
type Embedded struct {
	srv *server.Server
}

// StartEmbedded starts a server that keeps its streams under dir.
func StartEmbedded(dir string) (*Embedded, error) {
	return start(&server.Options{DontListen: true, JetStream: true, StoreDir: dir, NoSigs: true})
}

// StartLoopback starts an embedded server that also listens on a free
// loopback port, so that other clients (another app in a test) can dial
// it by URL.
func StartLoopback(dir string) (*Embedded, error) {
	return start(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: dir, NoSigs: true})
}

// URL is the address clients dial; for a server without a listener it
// works only with Connect.
func (e *Embedded) URL() string { return e.srv.ClientURL() }

func start(opts *server.Options) (*Embedded, error) {
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, err
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("nats: embedded server not ready")
	}
	return &Embedded{srv: srv}, nil
}

// Connect opens a client connection to the embedded server.
func (e *Embedded) Connect() (*natsgo.Conn, error) {
	return natsgo.Connect(e.srv.ClientURL(), natsgo.InProcessServer(e.srv))
}

// Shutdown stops the server and waits for it.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// Connect dials a NATS server by URL, retrying the connection if it drops.
func Connect(url, name string) (*natsgo.Conn, error) {
	return natsgo.Connect(url, natsgo.Name(name), natsgo.MaxReconnects(-1), natsgo.RetryOnFailedConnect(true))
}
