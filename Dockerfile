# syntax=docker/dockerfile:1
# Build: docker build -t agora .
# Run:   docker run -p 8080:8080 -e DATABASE_URL=postgres://… agora

FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces go-pdf/fpdf with this copy: third_party/fpdf/PATCHES.md.
COPY third_party ./third_party
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/agora ./cmd/agora

FROM alpine:3.22
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S agora && adduser -S -G agora -h /app agora
WORKDIR /app
COPY --from=build /out/agora /usr/local/bin/agora
COPY configs/agora.yaml /app/configs/agora.yaml
USER agora
ENV AGORA_ADDR=:8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["agora"]
CMD ["serve"]
