set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m5_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-medium: decode, tpot_ms'
$d0 << EOD
-0.06 0.669619561 0.668555378 0.670683745
0.94 0.685698832 0.684294378 0.687103287
1.94 1.28971181 1.28735504 1.29206857
EOD
$d1 << EOD
0 6.91054732 5.05371406 8.76738058
1 6.40077754 5.34451218 7.45704291
2 8.67783327 7.54547952 9.81018702
EOD
$d2 << EOD
0.06 12.9044192 12.0979054 13.7109329
1.06 11.9860907 11.0518232 12.9203583
2.06 13.6107969 12.5637215 14.6578722
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
