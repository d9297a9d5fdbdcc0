package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/coe-agora/agora/internal/privacy"
)

const privacyUsage = "privacy export --email E | erase --email E --yes | retention [--months N]"

// privacyCmd answers for personal data: export what is held about an
// address, erase it, or apply the retention rule.
func privacyCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, privacyUsage)
	}
	switch args[0] {
	case "export":
		fs := flag.NewFlagSet("privacy export", flag.ContinueOnError)
		email := fs.String("email", "", "the address to report on")
		if err := parsePrivacy(fs, args[1:], email); err != nil {
			return err
		}
		return privacyExport(ctx, *email, stdout)
	case "erase":
		fs := flag.NewFlagSet("privacy erase", flag.ContinueOnError)
		email := fs.String("email", "", "the address to erase")
		yes := fs.Bool("yes", false, "confirm: erasure cannot be undone")
		if err := parsePrivacy(fs, args[1:], email); err != nil {
			return err
		}
		if !*yes {
			return fmt.Errorf("%w: privacy erase cannot be undone: add --yes to confirm", errUsage)
		}
		return privacyErase(ctx, *email, stdout)
	case "retention":
		fs := flag.NewFlagSet("privacy retention", flag.ContinueOnError)
		months := fs.Int("months", privacy.DefaultRetentionMonths, "anonymise delegates of meetings that ended this many months ago")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("%w: privacy retention takes no arguments", errUsage)
		}
		if *months < 1 {
			return fmt.Errorf("%w: privacy retention: --months must be at least 1", errUsage)
		}
		return privacyRetention(ctx, *months, stdout)
	default:
		return fmt.Errorf("%w: %s", errUsage, privacyUsage)
	}
}

// parsePrivacy parses the flags of a command about one address, which
// is required.
func parsePrivacy(fs *flag.FlagSet, args []string, email *string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s takes no arguments (did you mean --email?)", errUsage, fs.Name())
	}
	if *email == "" {
		return fmt.Errorf("%w: %s needs --email", errUsage, fs.Name())
	}
	return nil
}

func privacyExport(ctx context.Context, email string, stdout io.Writer) error {
	a, err := prepared(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	report, err := privacy.NewService(a.DB).Export(ctx, operator(), email)
	if err != nil {
		return describe(err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // the email bodies are HTML: keep them readable
	return enc.Encode(report)
}

func privacyErase(ctx context.Context, email string, stdout io.Writer) error {
	a, err := prepared(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	sum, err := privacy.NewService(a.DB).Erase(ctx, operator(), email)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(stdout, sum.String())
	return nil
}

func privacyRetention(ctx context.Context, months int, stdout io.Writer) error {
	a, err := prepared(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := privacy.NewService(a.DB).ApplyRetention(ctx, operator(), months, time.Now())
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "%d registration(s) anonymised (meetings that ended more than %d months ago)\n", n, months)
	return nil
}
