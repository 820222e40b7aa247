set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-0.8m: decode, tpot_ms'
$d0 << EOD
-0.03 1.03168146 0.938270949 1.12509197
0.97 1.03165843 1.02012012 1.04319675
1.97 1.13946859 0.898325954 1.38061122
EOD
$d1 << EOD
0.03 2.47844781 2.41574985 2.54114578
1.03 1.83823259 1.62871685 2.04774833
2.03 1.81320896 1.78925186 1.83716606
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
