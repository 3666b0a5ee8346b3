package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/refdata"
	"github.com/jinguan-customs/jinguan/tariff"
)

func tariffCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tariff", Short: "Tariff tools: the policy calculator (政策计算器) and batch re-review (批量复审)"}
	var dir string
	calc := &cobra.Command{
		Use:   "calc",
		Short: "Read one item as JSON on stdin, write its rates, deciding rules, taxes and licences as JSON",
		Long: `Reads {"code_ts","origin_country","agreement","date","trans_mode","price","currency",
"fee","insur","other","gross_wet","first_qty","in_quota"} and writes the result. Invalid input
is answered with the coded error (field pointers) and exit status 1.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := calculator(dir)
			if err != nil {
				return err
			}
			return runCalc(c, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	calc.Flags().StringVar(&dir, "dir", "", "folder with tariff-schedule.csv and its companion files (default: the embedded sample)")
	cmd.AddCommand(calc, tariffReviewCmd())
	return cmd
}

func calculator(dir string) (*tariff.Calculator, error) {
	cat, err := refdata.Embedded()
	if err != nil {
		return nil, err
	}
	c := &tariff.Calculator{Catalog: cat, Config: tariff.DefaultTaxConfig()}
	c.Schedule, err = tariff.LoadDir(dir, cat)
	return c, err
}

func runCalc(c *tariff.Calculator, r io.Reader, w io.Writer) error {
	var in tariff.CalcInput
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := dec.Decode(&in); err != nil {
		e := jinguan.Invalid([]jinguan.FieldError{{Pointer: "", Code: "malformed_json",
			MessageZH: "JSON 格式错误", MessageEN: err.Error()}})
		enc.Encode(e)
		return e
	}
	res, err := c.Calc(in)
	var je *jinguan.Error
	if errors.As(err, &je) {
		enc.Encode(je)
		return je
	} else if err != nil {
		return fmt.Errorf("tariff calc: %w", err)
	}
	return enc.Encode(res)
}
