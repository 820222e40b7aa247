set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m2_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-18m: decode, tpot_ms'
$d0 << EOD
-0.03 1.48205789 1.22066377 1.74345201
0.97 2.0138918 1.12584055 2.90194305
1.97 2.57689035 2.23766265 2.91611805
EOD
$d1 << EOD
0.03 3.18547812 2.95958461 3.41137164
1.03 3.25432512 3.14430081 3.36434942
2.03 4.05167874 3.2790798 4.82427768
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
