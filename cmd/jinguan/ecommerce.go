package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/ecommerce"
)

// The CLI of e-commerce clearance works on a data folder directly (the
// server must not run on it at the same time for SQLite's single writer
// to be this process): submit message files, list and show lists, record
// a consolidated payment.
func ecommerceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "ecommerce", Short: "Cross-border e-commerce clearance: submit CEB messages, query lists and receipts"}
	var cfg app.Config
	admin := auth.Principal{User: "cli", Role: auth.RoleAdmin}
	open := func() (*app.App, error) { return app.Open(context.Background(), cfg) }
	out := func(cmd *cobra.Command, v any) error {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	submit := &cobra.Command{
		Use:     "submit FILE...",
		Short:   "Submit CEB messages from XML or JSON files (by extension) and print one receipt per document",
		Example: "  jinguan ecommerce submit ecommerce/testdata/ceb311-order.xml ecommerce/testdata/ceb621-inventory.xml",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			a, err := open()
			if err != nil {
				return err
			}
			defer a.Close()
			var docs []ecommerce.Doc
			var bad []ecommerce.Receipt
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				var d []ecommerce.Doc
				var r []ecommerce.Receipt
				if strings.HasSuffix(strings.ToLower(f), ".json") {
					d, r = ecommerce.DecodeJSON(bytes.NewReader(b))
				} else {
					d, r = ecommerce.DecodeXMLBytes(b)
				}
				docs, bad = append(docs, d...), append(bad, r...)
			}
			rs, err := a.Ecommerce.Submit(context.Background(), docs)
			if err != nil {
				return err
			}
			return out(cmd, append(rs, bad...))
		},
	}
	var status string
	var limit int
	lists := &cobra.Command{
		Use:   "lists",
		Short: "Print lists, newest first (--status 120,300,500,800,100 …)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := ecommerce.Filter{Limit: limit}
			for _, x := range strings.Split(status, ",") {
				if x == "" {
					continue
				}
				n, err := strconv.Atoi(x)
				if err != nil {
					return fmt.Errorf("--status: %q is not a status number", x)
				}
				f.Status = append(f.Status, ecommerce.Status(n))
			}
			a, err := open()
			if err != nil {
				return err
			}
			defer a.Close()
			rows, err := a.Ecommerce.Lists(context.Background(), admin, f)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, r := range rows {
				zh, en := ecommerce.StatusText(r.Status)
				fmt.Fprintf(w, "%d\t%s\t%d %s %s\t%s\tvalue %s\ttax %s\n", r.ID, r.Key, r.Status, zh, en, r.Lane,
					ecommerceFen(r.ValueFen), ecommerceFen(r.TaxFen))
			}
			return nil
		},
	}
	lists.Flags().StringVar(&status, "status", "", "receipt statuses, comma-separated")
	lists.Flags().IntVar(&limit, "limit", 50, "at most this many (≤ 500)")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Print one list with its decision, its three documents, its tax bill and receipts as JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("ID must be a number")
			}
			a, err := open()
			if err != nil {
				return err
			}
			defer a.Close()
			v, err := a.Ecommerce.List(context.Background(), admin, id)
			if err != nil {
				return err
			}
			return out(cmd, v)
		},
	}
	pay := &cobra.Command{
		Use:   "pay ASSURE PERIOD",
		Short: "Record a guarantor's consolidated payment of a month (yyyyMM); its guarantee debits are given back",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := open()
			if err != nil {
				return err
			}
			defer a.Close()
			p, err := a.Ecommerce.PayPeriod(context.Background(), admin, args[0], args[1])
			if err != nil {
				return err
			}
			return out(cmd, p)
		},
	}
	var reg ecommerce.Registration
	var roles string
	register := &cobra.Command{
		Use:     "register",
		Short:   "Record an enterprise's e-commerce registration (备案): its customs code, credit code and roles",
		Example: "  jinguan ecommerce register --code 3301960EBP --scc 91330100MA27XU0E3J --name 杭州某平台 --roles ebp",
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg.Roles = strings.Split(roles, ",")
			if len(reg.Code) != 10 && len(reg.Code) != 18 || reg.SCC == "" || roles == "" {
				return fmt.Errorf("--code (10 or 18 characters), --scc and --roles are required")
			}
			for _, r := range reg.Roles {
				switch r {
				case ecommerce.RolePlatform, ecommerce.RoleSeller, ecommerce.RoleLogistics, ecommerce.RolePayment, ecommerce.RoleAgent, ecommerce.RoleGuarantor:
				default:
					return fmt.Errorf("--roles: %q is not one of ebp, ebc, logistics, payment, agent, assure", r)
				}
			}
			a, err := open()
			if err != nil {
				return err
			}
			defer a.Close()
			if _, err := a.Enterprises.Enterprise(context.Background(), reg.SCC); err != nil {
				return fmt.Errorf("--scc %s: %w", reg.SCC, err)
			}
			return a.Ecommerce.PutRegistration(context.Background(), reg)
		},
	}
	register.Flags().StringVar(&reg.Code, "code", "", "customs registration code used in messages")
	register.Flags().StringVar(&reg.SCC, "scc", "", "unified social credit code in the enterprise registry")
	register.Flags().StringVar(&reg.NameZH, "name", "", "name")
	register.Flags().StringVar(&roles, "roles", "", "comma-separated: ebp, ebc, logistics, payment, agent, assure")
	for _, c := range []*cobra.Command{submit, lists, show, pay, register} {
		c.Flags().StringVar(&cfg.DataDir, "data", "jinguan-data", "data folder")
		c.Flags().StringVar(&cfg.PostgresDSN, "pg", "", "PostgreSQL DSN instead of SQLite")
		cmd.AddCommand(c)
	}
	return cmd
}

func ecommerceFen(f int64) string { return fmt.Sprintf("%d.%02d", f/100, f%100) }
