package declaration

import "context"

// WorkQueue carries committed declarations to the pipeline workers of a
// scaled-out deployment (NATS JetStream between API and worker nodes).
// Without one the pipeline is an in-process channel.
type WorkQueue interface {
	// Publish hands a committed declaration to the workers. A failure
	// loses nothing: the workers' recovery scan finds the declaration.
	Publish(ctx context.Context, id int64, version int) error
	// Consume delivers ids until ctx ends. done is called once per
	// delivery, after the step's commit: nil acknowledges, an error asks
	// for redelivery.
	Consume(ctx context.Context, deliver func(id int64, done func(error))) error
}
