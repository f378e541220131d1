-- Public and unlisted uploads already stored: rewrite only rows whose metadata changed
-- (most do not from one day to the next, so a re-run writes almost nothing).
UPDATE youtube_videos AS v SET
  channel_id             = s.channel_id,
  availability           = s.availability,
  title                  = s.title,
  description            = s.description,
  published_at           = s.published_at,
  duration               = s.duration,
  duration_seconds       = s.duration_seconds,
  definition             = s.definition,
  caption                = s.caption,
  category_id            = s.category_id,
  tags                   = s.tags,
  live_broadcast_content = s.live_broadcast_content,
  default_audio_language = s.default_audio_language,
  unavailable_since      = NULL,
  updated_at             = s.updated_at
FROM staging_youtube_videos AS s
WHERE v.video_id = s.video_id
  AND s.availability IN ('public', 'unlisted')
  AND (v.channel_id, v.availability, v.title, v.description, v.published_at, v.duration, v.duration_seconds,
       v.definition, v.caption, v.category_id, v.tags, v.live_broadcast_content, v.default_audio_language,
       v.unavailable_since)
      IS DISTINCT FROM
      (s.channel_id, s.availability, s.title, s.description, s.published_at, s.duration, s.duration_seconds,
       s.definition, s.caption, s.category_id, s.tags, s.live_broadcast_content, s.default_audio_language,
       NULL::date)
