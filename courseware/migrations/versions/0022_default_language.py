"""the organisation's default language

- organisation_settings.default_locale: the language pages are shown in when neither the person
  nor their browser asks for one of the site's languages.

Revision ID: 0022
Revises: 0021
Create Date: 2027-03-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation_settings") as batch:
        batch.add_column(sa.Column("default_locale", sa.String(length=10), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("organisation_settings") as batch:
        batch.drop_column("default_locale")
