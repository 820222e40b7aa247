set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m6_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-large: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 2.8283752 2.82392456 2.83282584
0.94 3.5117022 3.46361347 3.55979093
1.94 3.7575208 3.75222433 3.76281727
EOD
$d1 << EOD
0 9.498688 9.32755768 9.66981832
1 8.9491846 8.84255792 9.05581128
2 14.3919386 14.3309614 14.4529158
EOD
$d2 << EOD
0.06 19.4715278 19.1990945 19.7439611
1.06 18.5557296 18.151618 18.9598412
2.06 18.6233634 18.3338053 18.9129215
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
