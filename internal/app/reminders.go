package app

import (
	"context"
	"time"
)

// ReminderInterval is how often a worker looks for automatic reminders
// due (invitation.Service.SendDueReminders): they are set in days, so a
// few minutes late is on time.
const ReminderInterval = 5 * time.Minute

// RunReminders sends the meetings' automatic reminders as they fall due,
// once at start and then every ReminderInterval, until ctx is done.
// Several workers may run it: each reminder is claimed in the
// transaction that queues it, so it goes out once.
func (a *App) RunReminders(ctx context.Context) error {
	tick := time.NewTicker(ReminderInterval)
	defer tick.Stop()
	for {
		n, err := a.Invitations.SendDueReminders(ctx, time.Now())
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			a.Log.Error("reminders", "error", err)
		case n > 0:
			a.Log.Info("reminders sent", "emails", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
