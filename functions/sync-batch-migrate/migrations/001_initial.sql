-- batch-scheduler schema (database "shirogane").
-- IF NOT EXISTS throughout: databases created before schema_migrations existed already hold
-- these tables (sync-batch applied the old schema.sql at every run), and this file must record
-- them, not fail.

-- Channels operators add without a deploy: INSERT INTO youtube_channels_config (channel_id) VALUES ('UC…');
CREATE TABLE IF NOT EXISTS youtube_channels_config (
  channel_id  varchar(64) PRIMARY KEY,
  enabled     boolean     NOT NULL DEFAULT true,
  note        text,
  added_at    timestamptz NOT NULL DEFAULT now()
);

-- Latest state of each channel.
CREATE TABLE IF NOT EXISTS youtube_channels (
  channel_id              varchar(64) PRIMARY KEY,
  title                   text        NOT NULL,
  description             text,
  custom_url              text,
  country                 text,
  published_at            timestamptz,
  uploads_playlist_id     varchar(64),
  view_count              bigint,
  subscriber_count        bigint,      -- NULL when the channel hides it
  hidden_subscriber_count boolean     NOT NULL DEFAULT false,
  video_count             bigint,
  first_synced_at         timestamptz NOT NULL DEFAULT now(),
  last_synced_at          timestamptz NOT NULL
);

-- Latest metadata of each upload. Private or deleted uploads keep the metadata last
-- seen while public; unavailable_since is the JST date they were first found gone.
CREATE TABLE IF NOT EXISTS youtube_videos (
  video_id               varchar(32) PRIMARY KEY,
  channel_id             varchar(64) NOT NULL,
  availability           text        NOT NULL
    CHECK (availability IN ('public', 'unlisted', 'private', 'deleted', 'unavailable')),
  title                  text,
  description            text,
  published_at           timestamptz,
  duration               text,         -- ISO-8601 as the API sends it, e.g. PT4M13S
  duration_seconds       integer,
  definition             text,
  caption                boolean,
  category_id            text,
  tags                   jsonb,
  live_broadcast_content text,
  default_audio_language text,
  unavailable_since      date,
  first_synced_at        timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL  -- last sync that changed this row
);
CREATE INDEX IF NOT EXISTS youtube_videos_channel_published_idx ON youtube_videos (channel_id, published_at DESC);

-- One statistics snapshot per video per JST date: a re-run the same day replaces
-- that day's row, the next day adds one, so trends are a plain range query.
CREATE TABLE IF NOT EXISTS youtube_video_stats (
  video_id       varchar(32) NOT NULL,
  snapshot_date  date        NOT NULL,
  view_count     bigint      NOT NULL,
  like_count     bigint,                -- NULL when likes are hidden
  comment_count  bigint,                -- NULL when comments are disabled
  favorite_count bigint,
  captured_at    timestamptz NOT NULL,
  PRIMARY KEY (video_id, snapshot_date)
);
CREATE INDEX IF NOT EXISTS youtube_video_stats_snapshot_date_idx ON youtube_video_stats (snapshot_date);

-- Every run, successful or not, with its quota use and the reason it failed.
CREATE TABLE IF NOT EXISTS youtube_sync_runs (
  run_id             text        PRIMARY KEY,
  trigger            text,
  snapshot_date      date        NOT NULL,
  started_at         timestamptz NOT NULL,
  finished_at        timestamptz NOT NULL,
  status             text        NOT NULL CHECK (status IN ('success', 'partial', 'failed')),
  channels           integer     NOT NULL DEFAULT 0,
  videos             integer     NOT NULL DEFAULT 0,
  quota_units        integer     NOT NULL DEFAULT 0,
  rows_channels      integer     NOT NULL DEFAULT 0,
  rows_videos        integer     NOT NULL DEFAULT 0,
  rows_stats         integer     NOT NULL DEFAULT 0,
  missing_channels   text[]      NOT NULL DEFAULT '{}',
  rejected_rows      integer     NOT NULL DEFAULT 0,
  error              text
);
