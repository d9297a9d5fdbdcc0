// Command agora is Agora's single binary: the web server, the background
// worker (mail delivery, change digests, retention) and the administration
// commands. It only parses arguments and wires the
// pieces together; the work happens in internal/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/postgres"
)

const usage = `Usage: agora COMMAND [flags]

Commands:
  serve [--addr HOST:PORT] [--no-worker]
                               serve HTTP and run the background work: mail delivery,
                               change digests, retention (applies pending migrations first)
  worker                       the background work only, no HTTP: mail delivery, change
                               digests, retention (for running several processes)
  mail release                 send the mail withheld while no SMTP server was configured
  migrate up|down|status       schema migrations
  seed [--demo [--if-empty]]   add the roster's missing states; --demo: a living demo instance
  user add --email E --name N --role admin|secretariat|focal_point
           [--state XX] [--lang en|fr] --password-stdin
  token create --email E [--name LABEL]
  token list --email E
  token revoke TOKEN_ID
  privacy export --email E     print everything held about an address (JSON)
  privacy erase --email E --yes
                               erase it: anonymise what statistics and history keep
  privacy retention [--months N]
                               anonymise delegates of meetings ended N months ago (24)

Every command reads configs/agora.yaml (or AGORA_CONFIG) and the environment;
see the README for the settings.
`

// errUsage marks a mistake in the command line (exit status 2).
var errUsage = errors.New("usage")

func main() {
	if len(os.Args) > 1 && os.Args[1] == postgres.EmbeddedCommand {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		if err := postgres.RunEmbeddedChild(os.Stdin, os.Stdout, sig); err != nil {
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout)
	stopped := ctx.Err() != nil
	stop()
	if err != nil && stopped && longRunning(os.Args[1:]) {
		// Told to stop while still starting (migrating, seeding the
		// roster): what was cut short was rolled back, and the stop was
		// asked for, so it is an orderly one, not a failure.
		fmt.Fprintln(os.Stderr, "agora: stopped while starting:", strings.Join(strings.Fields(err.Error()), " "))
		err = nil
	}
	if err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprint(os.Stderr, usage)
			if msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": "); msg != errUsage.Error() {
				fmt.Fprintln(os.Stderr, "agora:", msg)
			}
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "agora:", strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
}

// longRunning tells the commands that run until told to stop.
func longRunning(args []string) bool {
	return len(args) > 0 && (args[0] == "serve" || args[0] == "worker")
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest)
	case "worker":
		return worker(ctx, rest)
	case "mail":
		return mailCmd(ctx, rest, stdout)
	case "migrate":
		return migrate(ctx, rest, stdout)
	case "seed":
		return seed(ctx, rest, stdout)
	case "user":
		return userCmd(ctx, rest, stdin, stdout)
	case "token":
		return tokenCmd(ctx, rest, stdout)
	case "privacy":
		return privacyCmd(ctx, rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// parse parses flags, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	return nil
}

// loadConfig loads the configuration with the command's flag overrides.
func loadConfig(configFile string, flags map[string]string) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(config.Sources{File: configFile, Flags: flags})
	if err != nil {
		return config.Config{}, nil, err
	}
	return cfg, newLogger(cfg.Log, os.Stderr), nil
}

func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
