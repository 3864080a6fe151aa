revision = "0003"
down_revision = "0001"
