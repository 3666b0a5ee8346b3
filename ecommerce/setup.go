package ecommerce

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/jinguan-customs/jinguan/enterprise"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
)

// Open builds the service with its reference data (configDir's
// positive-list.csv, legacy-codes.csv and ecommerce-profiles.json override
// the embedded ones) on a store and the enterprise registry. The store
// secures list taxes on the guarantee accounts (SecureBatch).
func Open(ctx context.Context, cfg Config, store Store, ents enterprise.Store,
	cat *refdata.Catalog, sched *tariff.Schedule, configDir string, key []byte, log *slog.Logger) (*Service, error) {
	ref, err := LoadReference(configDir)
	if err != nil {
		return nil, err
	}
	var profiles []byte
	if configDir != "" {
		if b, err := os.ReadFile(filepath.Join(configDir, "ecommerce-profiles.json")); err == nil {
			profiles = b
		}
	}
	rk, err := NewRisk(profiles, key)
	if err != nil {
		return nil, err
	}
	if cfg.RandomRed < 0 || cfg.RandomYellow < 0 || cfg.RandomRed+cfg.RandomYellow > 1 {
		return nil, fmt.Errorf("ecommerce.random_red and random_yellow must be ≥ 0 and sum to ≤ 1")
	}
	rk.Random.Red, rk.Random.Yellow = cfg.RandomRed, cfg.RandomYellow
	parties := &Parties{Enterprises: ents, TTL: 30 * time.Second}
	return NewService(ctx, cfg, Deps{Store: store, Parties: parties, Reference: ref, Risk: rk, Log: log,
		Taxer: &Taxer{Schedule: sched, Config: cfg.Retail, Legacy: ref.Legacy, Rates: cat.ExchangeRate}})
}

// SeedDemo registers the demo parties.
func SeedDemo(ctx context.Context, s *Service, ents enterprise.Store) error {
	es, regs := DemoParties()
	for _, e := range es {
		if err := ents.PutEnterprise(ctx, e); err != nil {
			return err
		}
	}
	for _, r := range regs {
		if err := s.PutRegistration(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// PutRegistration records a registration and makes it effective.
func (s *Service) PutRegistration(ctx context.Context, r Registration) error {
	if err := s.deps.Store.PutRegistration(ctx, r); err != nil {
		return err
	}
	regs, err := s.deps.Store.Registrations(ctx)
	if err != nil {
		return err
	}
	s.deps.Parties.SetRegistrations(regs)
	return nil
}

// Store returns the service's store, for queries.
func (s *Service) Store() Store { return s.deps.Store }
