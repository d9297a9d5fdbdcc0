package postgres

import "context"

// FreshTx marks the transaction begun with the returned context as InTx
// marks its second run.
func FreshTx(ctx context.Context) context.Context {
	return context.WithValue(ctx, txRunKey{}, &txRun{fresh: true})
}

// IsStalePlan exposes isStalePlan to the tests.
var IsStalePlan = isStalePlan
