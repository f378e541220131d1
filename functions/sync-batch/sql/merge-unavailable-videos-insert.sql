-- Private/deleted uploads seen for the first time: only their id, channel and state are
-- known (videos.list does not return them). $1 = snapshot date (JST).
INSERT INTO youtube_videos (video_id, channel_id, availability, unavailable_since, updated_at)
SELECT s.video_id, s.channel_id, s.availability, $1::date, s.updated_at
FROM staging_youtube_videos AS s
WHERE s.availability NOT IN ('public', 'unlisted')
  AND NOT EXISTS (SELECT 1 FROM youtube_videos AS v WHERE v.video_id = s.video_id)
