// QuartzBench is xjob's benchmark peer: Quartz 2.3.2 (Debian's
// libquartz2-java) with its clustered JDBC job store on MariaDB, firing the
// same cron schedules as the xjob scenarios and doing XXL-JOB's work per
// fire: insert a log row, POST /run to the stub executor, update the log
// row. cmd/xjob-bench starts it and checks the runs the stub records.
//
// Usage (all arguments key=value):
//   java -cp CLASSES:JARS QuartzBench url=jdbc:mariadb://127.0.0.1:PORT/DB
//        stub=http://127.0.0.1:PORT/ token=T jobs=1000 mode=every|spread
//        startAt=EPOCH_MS until=EPOCH_MS threads=50
//
// It prints "SCHEDULED <jobs> <ms>" when every trigger is stored, "STARTED"
// when the scheduler runs, and "DONE" after shutting down when its stdin
// closes (or at `until`, whichever comes first).

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.DBConnectionManager;

public class QuartzBench {
    static final String DS = "qds";
    static String stub;
    static String token;
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    static final AtomicLong FIRES = new AtomicLong();
    static final AtomicLong FAILS = new AtomicLong();

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        String url = a.get("url");
        stub = a.get("stub");
        token = a.getOrDefault("token", "");
        int jobs = Integer.parseInt(a.get("jobs"));
        String mode = a.getOrDefault("mode", "every");
        long startAt = Long.parseLong(a.get("startAt"));
        long until = Long.parseLong(a.get("until"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "50"));

        createTables(url);

        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "xjobBench");
        p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", String.valueOf(threads));
        p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionFireAheadTimeWindow", "0");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", DS);
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "7500");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        p.setProperty("org.quartz.dataSource." + DS + ".driver", "org.mariadb.jdbc.Driver");
        p.setProperty("org.quartz.dataSource." + DS + ".URL", url);
        p.setProperty("org.quartz.dataSource." + DS + ".user", "root");
        p.setProperty("org.quartz.dataSource." + DS + ".password", "");
        p.setProperty("org.quartz.dataSource." + DS + ".maxConnections", String.valueOf(threads + 10));

        Scheduler sched = new StdSchedulerFactory(p).getScheduler();
        long t0 = System.currentTimeMillis();
        Date start = new Date(startAt);
        Map<JobDetail, Set<? extends Trigger>> batch = new LinkedHashMap<>();
        for (int id = 1; id <= jobs; id++) {
            String cron = mode.equals("every") ? "* * * * * ?" : ((id - 1) % 60) + " * * * * ?";
            JobDetail jd = JobBuilder.newJob(FireJob.class).withIdentity(String.valueOf(id), "bench").build();
            Trigger tr = TriggerBuilder.newTrigger().withIdentity(String.valueOf(id), "bench").startAt(start)
                    .withSchedule(CronScheduleBuilder.cronSchedule(cron).withMisfireHandlingInstructionDoNothing())
                    .build();
            batch.put(jd, Set.of(tr));
            if (batch.size() == 1000 || id == jobs) {
                sched.scheduleJobs(batch, true);
                batch.clear();
            }
        }
        System.out.println("SCHEDULED " + jobs + " " + (System.currentTimeMillis() - t0));
        System.out.flush();
        sched.start();
        System.out.println("STARTED");
        System.out.flush();
        // Run until stdin closes (the harness is done) or until `until`.
        CountDownLatch stop = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // discard
                }
            } catch (Exception e) {
                // closed
            }
            stop.countDown();
        });
        reader.setDaemon(true);
        reader.start();
        stop.await(Math.max(0, until - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        sched.shutdown(true);
        System.out.println("DONE fires=" + FIRES.get() + " fails=" + FAILS.get());
        System.out.flush();
    }

    /** createTables runs the DDL Quartz ships in its jar, then a log table shaped like xxl_job_log. */
    static void createTables(String url) throws Exception {
        String ddl;
        try (InputStream in = QuartzBench.class.getClassLoader()
                .getResourceAsStream("org/quartz/impl/jdbcjobstore/tables_mysql_innodb.sql")) {
            if (in == null) {
                throw new IllegalStateException("tables_mysql_innodb.sql not found in the Quartz jar");
            }
            StringBuilder b = new StringBuilder();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("#") && !line.startsWith("--")) {
                    b.append(line).append('\n');
                }
            }
            ddl = b.toString();
        }
        try (Connection c = DriverManager.getConnection(url, "root", ""); Statement st = c.createStatement()) {
            for (String s : ddl.split(";")) {
                String q = s.trim();
                if (!q.isEmpty() && !q.equalsIgnoreCase("commit")) {
                    st.execute(q);
                }
            }
            st.execute("CREATE TABLE IF NOT EXISTS xxl_job_log ("
                    + "id bigint(20) NOT NULL AUTO_INCREMENT, job_group int(11) NOT NULL, job_id int(11) NOT NULL,"
                    + "executor_address varchar(255) DEFAULT NULL, executor_handler varchar(255) DEFAULT NULL,"
                    + "executor_param text, executor_sharding_param varchar(20) DEFAULT NULL,"
                    + "executor_fail_retry_count int(11) NOT NULL DEFAULT 0, trigger_time datetime DEFAULT NULL,"
                    + "trigger_code int(11) NOT NULL, trigger_msg text, handle_time datetime DEFAULT NULL,"
                    + "handle_code int(11) NOT NULL, handle_msg text, alarm_status tinyint(4) NOT NULL DEFAULT 0,"
                    + "PRIMARY KEY (id), KEY I_trigger_time (trigger_time), KEY I_handle_code (handle_code),"
                    + "KEY I_jobgroup (job_group), KEY I_jobid (job_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        }
    }

    /** FireJob does XXL-JOB's trigger work for one fire. */
    public static class FireJob implements Job {
        @Override
        public void execute(JobExecutionContext ctx) throws JobExecutionException {
            long jobId = Long.parseLong(ctx.getJobDetail().getKey().getName());
            long instant = ctx.getScheduledFireTime().getTime();
            try (Connection c = DBConnectionManager.getInstance().getConnection(DS)) {
                c.setAutoCommit(true);
                long logId;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO xxl_job_log (job_group, job_id, trigger_time, trigger_code, handle_code) VALUES (1, ?, ?, 0, 0)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ps.setLong(1, jobId);
                    ps.setTimestamp(2, new Timestamp(instant));
                    ps.executeUpdate();
                    try (ResultSet rs = ps.getGeneratedKeys()) {
                        rs.next();
                        logId = rs.getLong(1);
                    }
                }
                String body = "{\"jobId\":" + jobId + ",\"executorHandler\":\"bench\",\"executorParams\":\"\","
                        + "\"executorBlockStrategy\":\"SERIAL_EXECUTION\",\"executorTimeout\":0,\"logId\":" + logId
                        + ",\"logDateTime\":" + instant + ",\"glueType\":\"BEAN\",\"glueSource\":\"\","
                        + "\"glueUpdatetime\":0,\"broadcastIndex\":0,\"broadcastTotal\":1}";
                HttpRequest req = HttpRequest.newBuilder(URI.create(stub + "run"))
                        .timeout(Duration.ofSeconds(3))
                        .header("Content-Type", "application/json;charset=UTF-8")
                        .header("XXL-JOB-ACCESS-TOKEN", token)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
                int code;
                String msg;
                try {
                    HttpResponse<String> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
                    code = resp.body().contains("\"code\":200") ? 200 : 500;
                    msg = resp.body();
                } catch (Exception e) {
                    code = 500;
                    msg = e.toString();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE xxl_job_log SET trigger_code = ?, trigger_msg = ?, executor_address = ?, executor_handler = 'bench' WHERE id = ?")) {
                    ps.setInt(1, code);
                    ps.setString(2, msg);
                    ps.setString(3, stub);
                    ps.setLong(4, logId);
                    ps.executeUpdate();
                }
                FIRES.incrementAndGet();
                if (code != 200) {
                    FAILS.incrementAndGet();
                }
            } catch (Exception e) {
                FAILS.incrementAndGet();
                throw new JobExecutionException(e);
            }
        }
    }
}
