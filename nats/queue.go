// Package nats is the work queue of a scaled-out deployment: API nodes
// publish committed declarations to a NATS JetStream work-queue stream and
// worker nodes consume them, acknowledging each only after its pipeline
// step is committed. A worker that dies leaves its deliveries unacked, and
// JetStream hands them to another worker after AckWait.
package nats

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Options name the stream and tune redelivery.
type Options struct {
	Stream   string        // JetStream stream; default JINGUAN_PIPELINE
	Subject  string        // default jinguan.pipeline.declarations
	Consumer string        // durable consumer shared by all workers; default pipeline
	AckWait  time.Duration // redelivery after this long without an ack; default 30 s
	InFlight int           // most unacknowledged deliveries per consumer; default 4096
	Replicas int           // stream replicas in a cluster; default 1
}

func (o *Options) defaults() {
	if o.Stream == "" {
		o.Stream = "JINGUAN_PIPELINE"
	}
	if o.Subject == "" {
		o.Subject = "jinguan.pipeline.declarations"
	}
	if o.Consumer == "" {
		o.Consumer = "pipeline"
	}
	if o.AckWait <= 0 {
		o.AckWait = 30 * time.Second
	}
	if o.InFlight <= 0 {
		o.InFlight = 4096
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
}

// Queue implements declaration.WorkQueue on JetStream.
type Queue struct {
	opt    Options
	js     jetstream.JetStream
	stream jetstream.Stream
}

// Open creates the stream and its durable consumer if they are missing.
func Open(ctx context.Context, nc *natsgo.Conn, opt Options) (*Queue, error) {
	opt.defaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        opt.Stream,
		Description: "Jinguan declarations waiting for the pipeline (risk, tax, settlement)",
		Subjects:    []string{opt.Subject},
		Retention:   jetstream.WorkQueuePolicy, // a message is gone once a worker acks it
		Storage:     jetstream.FileStorage,
		Replicas:    opt.Replicas,
		Duplicates:  2 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("nats: stream %s: %w", opt.Stream, err)
	}
	_, err = stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       opt.Consumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       opt.AckWait,
		MaxAckPending: opt.InFlight,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("nats: consumer %s: %w", opt.Consumer, err)
	}
	return &Queue{opt: opt, js: js, stream: stream}, nil
}

// Publish implements declaration.WorkQueue. It returns once the stream has
// stored the message; the message id (declaration and version) lets
// JetStream drop a repeated publish of the same step.
func (q *Queue) Publish(ctx context.Context, id int64, version int) error {
	_, err := q.js.Publish(ctx, q.opt.Subject, strconv.AppendInt(nil, id, 10),
		jetstream.WithMsgID(strconv.FormatInt(id, 10)+"."+strconv.Itoa(version)))
	return err
}

// Consume implements declaration.WorkQueue: it delivers until ctx ends.
func (q *Queue) Consume(ctx context.Context, deliver func(id int64, done func(error))) error {
	cons, err := q.stream.Consumer(ctx, q.opt.Consumer)
	if err != nil {
		return err
	}
	failed := make(chan error, 1)
	cc, err := cons.Consume(func(m jetstream.Msg) {
		id, err := strconv.ParseInt(string(m.Data()), 10, 64)
		if err != nil || id <= 0 {
			m.Term() // not ours to retry: a malformed message would loop forever
			return
		}
		deliver(id, func(err error) {
			if err != nil {
				m.NakWithDelay(time.Second)
				return
			}
			m.Ack()
		})
	}, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) {
			select {
			case failed <- err:
			default:
			}
		}
	}))
	if err != nil {
		return err
	}
	defer cc.Stop()
	select {
	case <-ctx.Done():
		return nil
	case err := <-failed:
		return err
	}
}

// Pending is the number of messages not yet acknowledged, for tests and
// operators.
func (q *Queue) Pending(ctx context.Context) (uint64, error) {
	info, err := q.stream.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.Msgs, nil
}
