-- +goose Up

CREATE TABLE meetings (
    id                     bigserial PRIMARY KEY,
    kind                   text NOT NULL CHECK (kind IN ('plenary', 'bureau', 'ministerial', 'expert_group', 'forum', 'training', 'webinar')),
    title_en               text NOT NULL DEFAULT '',
    title_fr               text NOT NULL DEFAULT '',
    description_en         text NOT NULL DEFAULT '',
    description_fr         text NOT NULL DEFAULT '',
    starts_at              timestamptz NOT NULL,
    ends_at                timestamptz NOT NULL,
    timezone               text NOT NULL DEFAULT 'Europe/Paris',
    format                 text NOT NULL CHECK (format IN ('in_person', 'online', 'hybrid')),
    venue                  text NOT NULL DEFAULT '',
    online_url             text NOT NULL DEFAULT '',
    languages              text[] NOT NULL DEFAULT '{en,fr}',
    registration_opens_at  timestamptz,
    registration_closes_at timestamptz,
    seats_per_state        integer NOT NULL DEFAULT 2 CHECK (seats_per_state >= 0),
    funded_seats_per_state integer NOT NULL DEFAULT 0 CHECK (funded_seats_per_state >= 0),
    capacity               integer NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    audience               text NOT NULL DEFAULT 'members' CHECK (audience IN ('members', 'members_and_partners', 'custom')),
    requires_approval      boolean NOT NULL DEFAULT false,
    public                 boolean NOT NULL DEFAULT false,
    -- The stored lifecycle; "registration open/closed" and "held" are derived
    -- from the dates when the meeting is read.
    lifecycle              text NOT NULL DEFAULT 'draft' CHECK (lifecycle IN ('draft', 'published', 'cancelled', 'archived')),
    cancel_reason          text NOT NULL DEFAULT '',
    -- iCalendar SEQUENCE: bumped when time, place or status changes.
    sequence               integer NOT NULL DEFAULT 0,
    created_by             bigint REFERENCES users (id),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (funded_seats_per_state <= seats_per_state),
    CHECK (registration_closes_at IS NULL OR registration_opens_at IS NULL OR registration_closes_at > registration_opens_at)
);
CREATE INDEX meetings_starts_idx ON meetings (starts_at, id);
CREATE INDEX meetings_public_idx ON meetings (starts_at) WHERE lifecycle = 'published' AND public;

-- The states invited when the audience is 'custom'.
CREATE TABLE meeting_states (
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    state_code text NOT NULL REFERENCES states (code),
    PRIMARY KEY (meeting_id, state_code)
);

CREATE TABLE agenda_items (
    id         bigserial PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    parent_id  bigint REFERENCES agenda_items (id) ON DELETE CASCADE,
    -- 1-based order among siblings (same meeting and parent).
    position   integer NOT NULL CHECK (position > 0),
    title_en   text NOT NULL DEFAULT '',
    title_fr   text NOT NULL DEFAULT '',
    notes_en   text NOT NULL DEFAULT '',
    notes_fr   text NOT NULL DEFAULT '',
    starts_at  timestamptz,
    ends_at    timestamptz,
    -- [{"name", "function", "registration_id"}]
    speakers   jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX agenda_items_meeting_idx ON agenda_items (meeting_id, parent_id, position);

-- Every change to a meeting or its agenda: who, when, what, before, after.
CREATE TABLE meeting_changes (
    id             bigserial PRIMARY KEY,
    meeting_id     bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    at             timestamptz NOT NULL DEFAULT now(),
    user_id        bigint REFERENCES users (id),
    action         text NOT NULL,
    field          text NOT NULL DEFAULT '',
    agenda_item_id bigint,
    before         jsonb,
    after          jsonb
);
CREATE INDEX meeting_changes_meeting_idx ON meeting_changes (meeting_id, id);

-- +goose Down
DROP TABLE meeting_changes;
DROP TABLE agenda_items;
DROP TABLE meeting_states;
DROP TABLE meetings;
