FROM python:3.11-slim
WORKDIR /opt/dagster/app
COPY pyproject.toml README.md ./
COPY migration_pipeline ./migration_pipeline
RUN pip install --no-cache-dir .
COPY . .
RUN mkdir -p /opt/dagster/home && cp dagster.yaml /opt/dagster/home/dagster.yaml
