package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/coe-agora/agora/internal/app"
)

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "", "listen address, HOST:PORT (overrides AGORA_ADDR)")
	cfgFile := fs.String("config", "", "configuration file (overrides AGORA_CONFIG)")
	noWorker := fs.Bool("no-worker", false, "do not run the background work (mail delivery, change digests, retention) in this process; run `agora worker` instead")
	if err := parse(fs, args); err != nil {
		return err
	}
	flags := map[string]string{}
	if *addr != "" {
		flags["addr"] = *addr
	}
	cfg, log, err := loadConfig(*cfgFile, flags)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Warn("closing", "error", err)
		}
	}()
	if err := a.Prepare(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", cfg.Addr, err)
	}
	a.Greet(ctx, ln.Addr().String(), selfCommand())
	if *noWorker {
		return a.Serve(ctx, ln)
	}
	// The worker and the server stop together: when either fails, or on a signal.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workerDone := make(chan error, 1)
	go func() {
		err := a.RunBackground(ctx)
		if err != nil {
			cancel() // serving without the worker would leave mail unsent unnoticed
		}
		workerDone <- err
	}()
	serveErr := a.Serve(ctx, ln)
	cancel()
	return errors.Join(serveErr, <-workerDone)
}

func worker(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	cfgFile := fs.String("config", "", "configuration file (overrides AGORA_CONFIG)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, log, err := loadConfig(*cfgFile, nil)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Prepare(ctx); err != nil {
		return err
	}
	return a.RunBackground(ctx)
}

// selfCommand is how the operator ran this binary, for commands we print.
func selfCommand() string {
	self := os.Args[0]
	if !filepath.IsAbs(self) && filepath.Base(self) != self {
		return self
	}
	if filepath.IsAbs(self) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, self); err == nil && !filepath.IsAbs(rel) && len(rel) < len(self) && rel[0] != '.' {
				return "./" + rel
			}
		}
	}
	return self
}
