set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'tiny-gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 1.6012596 1.47945823 1.72306097
0.97 1.4596898 1.42429879 1.49508081
1.97 1.0157416 0.977299316 1.05418388
EOD
$d1 << EOD
0.03 1.837849 1.50841446 2.16728354
1.03 1.7335738 1.64595948 1.82118812
2.03 1.8028868 1.76443222 1.84134138
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
