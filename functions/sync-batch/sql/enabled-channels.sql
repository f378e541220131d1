SELECT channel_id FROM youtube_channels_config WHERE enabled ORDER BY added_at, channel_id
