# Resource upload, validation and DataStore fields; the datastore schema.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('opendata', '0001_initial'),
    ]

    operations = [
        # Loaded tables live apart from the application's own (one table per resource, see datastore.py).
        migrations.RunSQL("CREATE SCHEMA IF NOT EXISTS datastore;", "DROP SCHEMA IF EXISTS datastore CASCADE;"),
        migrations.AddField(
            model_name='resource',
            name='datastore_active',
            field=models.BooleanField(default=False, verbose_name='đã nạp vào kho dữ liệu'),
        ),
        migrations.AddField(
            model_name='resource',
            name='datastore_fields',
            field=models.JSONField(blank=True, default=list, verbose_name='từ điển dữ liệu'),
        ),
        migrations.AddField(
            model_name='resource',
            name='datastore_loaded',
            field=models.DateTimeField(blank=True, null=True, verbose_name='thời điểm nạp'),
        ),
        migrations.AddField(
            model_name='resource',
            name='datastore_report',
            field=models.JSONField(blank=True, default=dict, verbose_name='báo cáo kiểm tra'),
        ),
        migrations.AddField(
            model_name='resource',
            name='datastore_rows_done',
            field=models.BigIntegerField(default=0, verbose_name='số dòng đã kiểm tra'),
        ),
        migrations.AddField(
            model_name='resource',
            name='datastore_rows_total',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='tổng số dòng'),
        ),
        migrations.AddField(
            model_name='resource',
            name='datastore_state',
            field=models.CharField(blank=True, choices=[('', 'Không phải bảng dữ liệu'), ('queued', 'Đang chờ kiểm tra'), ('running', 'Đang kiểm tra'), ('valid', 'Hợp lệ, đã nạp vào kho dữ liệu'), ('invalid', 'Không hợp lệ'), ('failed', 'Lỗi khi kiểm tra')], default='', max_length=10, verbose_name='trạng thái kiểm tra'),
        ),
        migrations.AddField(
            model_name='resource',
            name='file_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='tên tệp gốc'),
        ),
        migrations.AddField(
            model_name='resource',
            name='file_sha256',
            field=models.CharField(blank=True, db_index=True, max_length=64, verbose_name='mã SHA-256 của tệp'),
        ),
    ]
