from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("worker_id", models.CharField(max_length=100, unique=True, verbose_name="Worker")),
                ("beat_on", models.DateTimeField(db_index=True, verbose_name="Last heartbeat")),
            ],
            options={"verbose_name": "worker heartbeat", "verbose_name_plural": "worker heartbeats"},
        ),
    ]
