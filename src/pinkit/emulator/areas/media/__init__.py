"""Video media: registration, the S3-style upload bucket, processing on the emulator clock."""
