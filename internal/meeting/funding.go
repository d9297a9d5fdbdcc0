package meeting

import (
	"context"
	"fmt"
)

// updateFundingDecision writes who decides funding requests (a statement
// of its own, so the main one stays as it was); empty is "automatic".
func updateFundingDecision(ctx context.Context, q queryer, id int64, f Fields) error {
	_, err := q.ExecContext(ctx, `UPDATE meetings SET funding_decision = coalesce(nullif($2, ''), 'automatic') WHERE id = $1`,
		id, f.FundingDecision)
	if err != nil {
		return fmt.Errorf("meeting: update funding decision of %d: %w", id, err)
	}
	return nil
}
