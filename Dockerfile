# Production image: gunicorn on 8881, static files through whitenoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY accounts ./accounts
COPY connections ./connections
RUN pip install --no-cache-dir .

COPY manage.py ./
COPY templates ./templates
COPY static ./static
RUN SECRET_KEY=collectstatic-only CRYPTOGRAPHY_KEY=collectstatic-only \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 orgkeeper && mkdir -p /app/var && chown orgkeeper /app/var
USER orgkeeper
EXPOSE 8881
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8881", "--workers", "3", "--access-logfile", "-", \
     "--logger-class", "config.gunicorn_logging.RedactingLogger"]
