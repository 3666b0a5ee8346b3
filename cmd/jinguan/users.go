package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan/app"
	"github.com/jinguan-customs/jinguan/auth"
	"github.com/jinguan-customs/jinguan/uscc"
)

func usersCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Manage API users and their tokens"}
	var (
		cfg                     app.Config
		name, role, ent, office string
	)
	add := &cobra.Command{
		Use:   "add",
		Short: "Create or replace a user and print a new bearer token (only its hash is stored)",
		Example: "  jinguan users add --name officer.chen --role officer --office 2200\n" +
			"  jinguan users add --name broker.a --role declarant --enterprise 91310115MA1FL0000X",
		RunE: func(cmd *cobra.Command, _ []string) error {
			u := auth.User{Name: name, Role: auth.Role(role), Enterprise: ent, Office: office, CreatedAt: time.Now()}
			if err := checkUser(u); err != nil {
				return err
			}
			b := make([]byte, 24)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			token := "jg_" + hex.EncodeToString(b)
			u.TokenHash = auth.HashToken(token)
			a, err := app.Open(context.Background(), cfg)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.Users.PutUser(context.Background(), u); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%s\n", u.Name, u.Role, token)
			return nil
		},
	}
	f := add.Flags()
	f.StringVar(&cfg.DataDir, "data", "jinguan-data", "data folder")
	f.StringVar(&cfg.PostgresDSN, "pg", "", "PostgreSQL DSN instead of SQLite")
	f.StringVar(&name, "name", "", "user name (required)")
	f.StringVar(&role, "role", "", "declarant, officer, risk_analyst or admin")
	f.StringVar(&ent, "enterprise", "", "the declarant's enterprise (unified social credit code)")
	f.StringVar(&office, "office", "", "the officer's customs district (4 digits)")
	cmd.AddCommand(add)
	return cmd
}

var reOffice = regexp.MustCompile(`^[0-9]{4}$`)

func checkUser(u auth.User) error {
	switch {
	case u.Name == "" || len(u.Name) > 64:
		return fmt.Errorf("--name: 1–64 characters required")
	case !slices.Contains(auth.Roles, u.Role):
		return fmt.Errorf("--role: one of %v", auth.Roles)
	case u.Role == auth.RoleDeclarant && !uscc.Valid(u.Enterprise):
		return fmt.Errorf("--enterprise: a declarant needs a valid unified social credit code")
	case u.Office != "" && !reOffice.MatchString(u.Office):
		return fmt.Errorf("--office: a 4-digit customs district code")
	}
	return nil
}
