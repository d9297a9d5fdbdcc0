package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coe-agora/agora/internal/app"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/demo"
	"github.com/coe-agora/agora/internal/postgres"
)

// openApp loads the configuration and opens the database for a one-shot command.
func openApp(ctx context.Context, configFile string) (*app.App, error) {
	cfg, log, err := loadConfig(configFile, nil)
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, cfg, log)
}

// prepared opens the database and brings the schema and roster up to date.
func prepared(ctx context.Context) (*app.App, error) {
	a, err := openApp(ctx, "")
	if err != nil {
		return nil, err
	}
	if err := a.Prepare(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func migrate(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: migrate takes one of up, down, status", errUsage)
	}
	a, err := openApp(ctx, "")
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "up":
		n, err := postgres.MigrateUp(ctx, a.DB)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d migration(s) applied\n", n)
		return nil
	case "down":
		return postgres.MigrateDown(ctx, a.DB)
	case "status":
		return postgres.MigrateStatus(ctx, a.DB, stdout)
	default:
		return fmt.Errorf("%w: migrate takes one of up, down, status", errUsage)
	}
}

func seed(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	withDemo := fs.Bool("demo", false, "also add demo accounts, focal points, meetings and registrations")
	ifEmpty := fs.Bool("if-empty", false, "with --demo: do nothing when the database already has meetings or accounts")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *ifEmpty && !*withDemo {
		return fmt.Errorf("%w: seed: --if-empty goes with --demo", errUsage)
	}
	a, err := prepared(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.States.SeedRoster(ctx)
	if err != nil {
		return err
	}
	if !*withDemo {
		fmt.Fprintf(stdout, "roster: %d state(s) and organisation(s) added\n", n)
		return nil
	}
	if *ifEmpty {
		meetings, users, err := demo.Contents(ctx, a)
		if err != nil {
			return err
		}
		if meetings > 0 || users > 0 {
			fmt.Fprintf(stdout, "demo: skipped, the database already has %d meeting(s) and %d account(s)\n", meetings, users)
			return nil
		}
	}
	report, err := demo.Seed(ctx, a)
	if errors.Is(err, demo.ErrNotEmpty) {
		return fmt.Errorf("%w (point AGORA_EMBEDDED_DIR or DATABASE_URL at a new one)", err)
	}
	if err != nil {
		return err
	}
	return report.Write(stdout)
}

func userCmd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: user add …", errUsage)
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "email address (the login)")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "admin, secretariat or focal_point")
	stateCode := fs.String("state", "", "code of the state or organisation, for focal points")
	lang := fs.String("lang", "en", "preferred language: en or fr")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if !*pwStdin {
		return fmt.Errorf("%w: user add needs --password-stdin (passwords never go on the command line)", errUsage)
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	a, err := prepared(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.AddUser(ctx, operator(), auth.NewUser{
		Email: *email, Name: *name, Role: *role, State: *stateCode, Language: *lang, Password: password,
	})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "user %d created: %s (%s)\n", u.ID, u.Email, u.Role)
	return nil
}

// operator is who acts at the command line: no account, so the services
// record what it does as system entries marked "cli".
func operator() auth.Actor { return auth.SystemActor("cli") }

func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("cannot read the password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func tokenCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: token create|list|revoke", errUsage)
	}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("token create", flag.ContinueOnError)
		email := fs.String("email", "", "the account's email")
		name := fs.String("name", "", "a label for the token")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		a, err := prepared(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		secret, _, err := a.Auth.CreateToken(ctx, operator(), *email, *name)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintln(stdout, secret)
		return nil
	case "list":
		fs := flag.NewFlagSet("token list", flag.ContinueOnError)
		email := fs.String("email", "", "the account's email")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		a, err := prepared(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		tokens, err := a.Auth.Tokens(ctx, *email)
		if err != nil {
			return describe(err)
		}
		for _, t := range tokens {
			fmt.Fprintf(stdout, "%d\t%s\tcreated %s\tlast used %s\t%s\n", t.ID, orDash(t.Name),
				t.CreatedAt.Format(time.RFC3339), timeOrNever(t.LastUsedAt), revoked(t.RevokedAt))
		}
		return nil
	case "revoke":
		if len(args) != 2 {
			return fmt.Errorf("%w: token revoke TOKEN_ID", errUsage)
		}
		a, err := prepared(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		t, err := a.Auth.RevokeToken(ctx, operator(), args[1])
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "token %d revoked\n", t.ID)
		return nil
	default:
		return fmt.Errorf("%w: token create|list|revoke", errUsage)
	}
}

func mailCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "release" {
		return fmt.Errorf("%w: mail release", errUsage)
	}
	a, err := prepared(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Config.SMTPURL == "" {
		return errors.New("no SMTP server is configured: set AGORA_SMTP_URL first, then release the withheld mail")
	}
	n, err := a.Outbox.Release(ctx, operator())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d withheld email(s) queued for delivery\n", n)
	return nil
}
