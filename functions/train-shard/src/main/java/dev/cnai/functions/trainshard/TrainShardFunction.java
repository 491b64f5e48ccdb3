package dev.cnai.functions.trainshard;

import dev.cnai.events.ShardAssigned;
import dev.cnai.events.ShardTrained;
import dev.cnai.function.Infrastructure;
import dev.cnai.pipeline.TrainShardStep;
import dev.cnai.storage.ObjectStore;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * train-shard: {@code dev.cnai.shard.assigned} → one round of local training on one shard; replies
 * {@code dev.cnai.shard.trained} as the HTTP response (the broker re-injects the reply).
 */
@ApplicationScoped
public class TrainShardFunction {
    private final TrainShardStep step;

    public TrainShardFunction(ObjectStore store) {
        this.step = new TrainShardStep(store);
    }

    @Funq("train-shard")
    public CloudEvent<ShardTrained> trainShard(CloudEvent<ShardAssigned> event) {
        return Infrastructure.reply(step.handle(event.data()));
    }
}
