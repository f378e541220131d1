-- Latest state of each channel fetched this run.
INSERT INTO youtube_channels AS c (
  channel_id, title, description, custom_url, country, published_at, uploads_playlist_id,
  view_count, subscriber_count, hidden_subscriber_count, video_count, last_synced_at
)
SELECT DISTINCT ON (channel_id)
  channel_id, title, description, custom_url, country, published_at, uploads_playlist_id,
  view_count, subscriber_count, hidden_subscriber_count, video_count, last_synced_at
FROM staging_youtube_channels
ORDER BY channel_id
ON CONFLICT (channel_id) DO UPDATE SET
  title                   = EXCLUDED.title,
  description             = EXCLUDED.description,
  custom_url              = EXCLUDED.custom_url,
  country                 = EXCLUDED.country,
  published_at            = EXCLUDED.published_at,
  uploads_playlist_id     = EXCLUDED.uploads_playlist_id,
  view_count              = EXCLUDED.view_count,
  subscriber_count        = EXCLUDED.subscriber_count,
  hidden_subscriber_count = EXCLUDED.hidden_subscriber_count,
  video_count             = EXCLUDED.video_count,
  last_synced_at          = EXCLUDED.last_synced_at
