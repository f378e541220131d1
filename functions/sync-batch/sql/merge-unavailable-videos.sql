-- Private/deleted uploads (few): record the state, keep the metadata last seen while
-- public, and keep the first date the video was found gone. $1 = snapshot date (JST).
INSERT INTO youtube_videos AS v (video_id, channel_id, availability, unavailable_since, updated_at)
SELECT video_id, channel_id, availability, $1::date, updated_at
FROM staging_youtube_videos
WHERE availability NOT IN ('public', 'unlisted')
ON CONFLICT (video_id) DO UPDATE SET
  availability      = EXCLUDED.availability,
  unavailable_since = COALESCE(v.unavailable_since, EXCLUDED.unavailable_since),
  updated_at        = EXCLUDED.updated_at
WHERE v.availability IS DISTINCT FROM EXCLUDED.availability OR v.unavailable_since IS NULL
