-- Private/deleted uploads already stored: record the state, keep the metadata last seen
-- while public, and keep the first date the video was found gone. $1 = snapshot date (JST).
UPDATE youtube_videos AS v SET
  availability      = s.availability,
  unavailable_since = COALESCE(v.unavailable_since, $1::date),
  updated_at        = s.updated_at
FROM staging_youtube_videos AS s
WHERE v.video_id = s.video_id
  AND s.availability NOT IN ('public', 'unlisted')
  AND (v.availability IS DISTINCT FROM s.availability OR v.unavailable_since IS NULL)
