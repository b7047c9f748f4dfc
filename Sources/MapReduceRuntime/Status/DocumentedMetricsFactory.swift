public import CoreMetrics
public import Prometheus

/// A swift-metrics factory over a swift-prometheus registry that gives every metric its `# HELP` text (swift-
/// prometheus's own factory leaves it empty, which `promtool check metrics` refuses). Bootstrap it once per
/// process: `MetricsSystem.bootstrap(DocumentedMetricsFactory(registry: registry))`.
public struct DocumentedMetricsFactory: MetricsFactory {
    /// The registry `/metrics` serves.
    public let registry: PrometheusCollectorRegistry
    /// Each metric's help text, by name.
    let help: [String: String]

    /// Task durations from 10 ms to 1 h.
    static let durationBuckets: [Duration] = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600].map { .milliseconds(Int64($0 * 1000)) }

    /// A factory over `registry`, with the coordinator's metrics' help texts.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        help = CoordinatorMetrics.help
    }

    /// `label`'s name and help text (the label itself, with spaces, for a metric not in the table).
    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help[label] ?? label.replacingOccurrences(of: "_", with: " "))
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: [1, 10, 100, 1000, 10_000])
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: Self.durationBuckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) { if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) } }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any MeterHandler) { if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) } }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
