// Command jinguan is the single binary: server, benchmarks and tools.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{
		Use:           "jinguan",
		Short:         "Jinguan (金关) customs clearance and risk management",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCmd(), benchCmd(), usersCmd(), riskCmd(), tariffCmd(), creditCmd(), ecommerceCmd())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "jinguan:", err)
		os.Exit(1)
	}
}
